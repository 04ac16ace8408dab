import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    completed: integer("completed", { mode: "boolean" }).notNull().default(false),
    completedAt: integer("completed_at"),
    dueDate: integer("due_date"),
    priority: integer("priority").notNull().default(0),
    position: real("position").notNull().default(0),
    // Null for personal tasks. Not foreign keys: adding those would rebuild this table (and its
    // full-text triggers); the board services keep them true, deleting cards with their list or
    // board in the same transaction.
    boardId: integer("board_id"),
    listId: integer("list_id"),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    version: integer("version").notNull().default(1),
  },
  (table) => [
    // Personal tasks are `owner_id = ? AND board_id IS NULL`: counted and paged on this index alone.
    index("tasks_owner_board_created_idx").on(table.ownerId, table.boardId, table.createdAt),
    index("tasks_owner_due_idx").on(table.ownerId, table.dueDate),
    index("tasks_owner_completed_idx").on(table.ownerId, table.completed),
    index("tasks_list_position_idx").on(table.listId, table.position),
    // A board's cards in display order, and the cards of every board a user belongs to.
    index("tasks_board_list_position_idx").on(table.boardId, table.listId, table.position),
    index("tasks_assignee_idx").on(table.assigneeId),
    // The due-date reminder job's scan: open tasks with a due date only, so other writes pay nothing.
    index("tasks_open_due_idx")
      .on(table.dueDate)
      .where(sql`${table.dueDate} IS NOT NULL AND ${table.completed} = 0`),
  ],
);

/** Tags live in their own table so they can be filtered through an index. */
export const taskTags = sqliteTable(
  "task_tags",
  {
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.tag] }),
    index("task_tags_tag_idx").on(table.tag, table.taskId),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;

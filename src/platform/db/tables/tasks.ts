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
    // Board columns are plain integers until boards exist; they stay null for personal tasks.
    boardId: integer("board_id"),
    listId: integer("list_id"),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    version: integer("version").notNull().default(1),
  },
  (table) => [
    index("tasks_owner_created_idx").on(table.ownerId, table.createdAt),
    index("tasks_owner_due_idx").on(table.ownerId, table.dueDate),
    index("tasks_owner_completed_idx").on(table.ownerId, table.completed),
    index("tasks_list_position_idx").on(table.listId, table.position),
    index("tasks_assignee_idx").on(table.assigneeId),
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

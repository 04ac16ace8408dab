import { sql } from "drizzle-orm";
import {
  bigint,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
} from "drizzle-orm/pg-core";
import { taskSearchVector, tsvector } from "./search";
import { users } from "./users";

/** Mirrors tables/tasks.ts; `search` stands for SQLite's tasks_fts (see search.ts). */
export const tasks = pgTable(
  "tasks",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    completed: integer("completed").notNull().default(0),
    completedAt: bigint("completed_at", { mode: "number" }),
    dueDate: bigint("due_date", { mode: "number" }),
    priority: integer("priority").notNull().default(0),
    // SQLite's REAL is an 8-byte float.
    position: doublePrecision("position").notNull().default(0),
    // Not foreign keys, as on SQLite: the board services keep them true.
    boardId: integer("board_id"),
    listId: integer("list_id"),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
    version: integer("version").notNull().default(1),
    search: tsvector("search").generatedAlwaysAs(taskSearchVector()),
  },
  (table) => [
    index("tasks_owner_board_created_idx").on(table.ownerId, table.boardId, table.createdAt),
    index("tasks_owner_due_idx").on(table.ownerId, table.dueDate),
    index("tasks_owner_completed_idx").on(table.ownerId, table.completed),
    index("tasks_list_position_idx").on(table.listId, table.position),
    index("tasks_board_list_position_idx").on(table.boardId, table.listId, table.position),
    index("tasks_assignee_idx").on(table.assigneeId),
    index("tasks_open_due_idx")
      .on(table.dueDate)
      .where(sql`${table.dueDate} IS NOT NULL AND ${table.completed} = 0`),
    index("tasks_search_idx").using("gin", table.search),
  ],
);

export const taskTags = pgTable(
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

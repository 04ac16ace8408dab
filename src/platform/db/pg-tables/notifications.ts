import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { NOTIFICATION_TYPES } from "../tables/notifications";
import { boards, comments } from "./boards";
import { tasks } from "./tasks";
import { users } from "./users";

/** Mirrors tables/notifications.ts. */
export const notifications = pgTable(
  "notifications",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type", { enum: NOTIFICATION_TYPES }).notNull(),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    boardId: integer("board_id").references(() => boards.id, { onDelete: "cascade" }),
    taskId: integer("task_id").references(() => tasks.id, { onDelete: "cascade" }),
    commentId: integer("comment_id").references(() => comments.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    body: text("body"),
    readAt: bigint("read_at", { mode: "number" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    index("notifications_user_created_idx").on(table.userId, table.createdAt, table.id),
    index("notifications_unread_idx")
      .on(table.userId, table.createdAt)
      .where(sql`${table.readAt} IS NULL`),
    index("notifications_actor_idx").on(table.actorId),
    index("notifications_board_idx").on(table.boardId),
    index("notifications_task_idx").on(table.taskId),
    index("notifications_comment_idx").on(table.commentId),
  ],
);

export const dueReminders = pgTable(
  "due_reminders",
  {
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    dueDate: bigint("due_date", { mode: "number" }).notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.userId, table.dueDate] }),
    index("due_reminders_user_idx").on(table.userId),
    index("due_reminders_due_idx").on(table.dueDate),
  ],
);

export const unsubscribeTokens = pgTable(
  "unsubscribe_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    index("unsubscribe_tokens_user_idx").on(table.userId),
    index("unsubscribe_tokens_created_idx").on(table.createdAt),
  ],
);

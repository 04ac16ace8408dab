import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { boards, comments } from "./boards";
import { tasks } from "./tasks";
import { users } from "./users";

export const NOTIFICATION_TYPES = [
  "task_assigned",
  "task_due",
  "task_comment",
  "comment_mention",
  "board_member_added",
  "password_changed",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * What concerns one user, written in the transaction of its cause. `title` and `body` are
 * written once, as the cause read then. A notification goes with its recipient, and with the
 * task, comment or board it is about (a link to something gone helps no one, and a deleted
 * comment's text must not live on in someone's inbox); an actor's deleted account leaves it
 * without an actor. A card's board is read from the task (cards move); `board_id` is set only
 * for notices about the board itself.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
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
    readAt: integer("read_at"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    // A user's list, newest first; the unread ones (and their count) on an index of their own.
    index("notifications_user_created_idx").on(table.userId, table.createdAt, table.id),
    index("notifications_unread_idx")
      .on(table.userId, table.createdAt)
      .where(sql`${table.readAt} IS NULL`),
    // For the cascades: deleting a task, comment, board or account finds its notifications.
    index("notifications_actor_idx").on(table.actorId),
    index("notifications_board_idx").on(table.boardId),
    index("notifications_task_idx").on(table.taskId),
    index("notifications_comment_idx").on(table.commentId),
  ],
);

/**
 * The due-date reminders already raised: one row per task, recipient and due date, so that a
 * reminder is raised once however often (and on however many servers) the job runs, a new due
 * date gets a new one, and deleting the notification does not bring it back.
 */
export const dueReminders = sqliteTable(
  "due_reminders",
  {
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    dueDate: integer("due_date").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.userId, table.dueDate] }),
    index("due_reminders_user_idx").on(table.userId),
    index("due_reminders_due_idx").on(table.dueDate),
  ],
);

/**
 * The tokens of the unsubscribe links in notification emails, one per email, stored as SHA-256
 * hashes only (like refresh tokens): whoever holds the link may turn that user's notification
 * emails off, and nothing else.
 */
export const unsubscribeTokens = sqliteTable(
  "unsubscribe_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    index("unsubscribe_tokens_user_idx").on(table.userId),
    index("unsubscribe_tokens_created_idx").on(table.createdAt),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;

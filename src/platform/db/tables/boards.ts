import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { tasks } from "./tasks";
import { users } from "./users";

export const BOARD_ROLES = ["owner", "editor", "viewer"] as const;
export type BoardRole = (typeof BOARD_ROLES)[number];

/**
 * A shared kanban board. `version` is the board's revision: it moves with every change to what
 * GET /boards/{id} returns (the board, its members, lists and cards), so its ETag is exact.
 */
export const boards = sqliteTable(
  "boards",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    version: integer("version").notNull().default(1),
  },
  (table) => [index("boards_owner_idx").on(table.ownerId)],
);

/** Who may see a board and what they may do there; the owner has a row too (role `owner`). */
export const boardMembers = sqliteTable(
  "board_members",
  {
    boardId: integer("board_id")
      .notNull()
      .references(() => boards.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: BOARD_ROLES }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.boardId, table.userId] }),
    // Visibility ("which boards may this user see?") is answered from this index alone.
    uniqueIndex("board_members_user_board_unique").on(table.userId, table.boardId, table.role),
  ],
);

/** A column of a board; `position` is 0-based and dense within the board. */
export const lists = sqliteTable(
  "lists",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    boardId: integer("board_id")
      .notNull()
      .references(() => boards.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [index("lists_board_position_idx").on(table.boardId, table.position)],
);

/** Comments on tasks (cards or personal tasks); they go with their task and with their author. */
export const comments = sqliteTable(
  "comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    editedAt: integer("edited_at"),
  },
  (table) => [
    index("comments_task_idx").on(table.taskId, table.id),
    index("comments_author_idx").on(table.authorId),
  ],
);

/**
 * Who did what on a board, written in the transaction of the change. The actor's account may be
 * deleted later; the entry stays, without an actor.
 */
export const activity = sqliteTable(
  "activity",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    boardId: integer("board_id")
      .notNull()
      .references(() => boards.id, { onDelete: "cascade" }),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: integer("subject_id").notNull(),
    /** JSON object. */
    data: text("data").notNull().default("{}"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    index("activity_board_idx").on(table.boardId, table.id),
    index("activity_actor_idx").on(table.actorId),
  ],
);

export type BoardRow = typeof boards.$inferSelect;
export type ListRow = typeof lists.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type ActivityRow = typeof activity.$inferSelect;

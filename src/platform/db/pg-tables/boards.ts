import {
  bigint,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { BOARD_ROLES } from "../tables/boards";
import { searchVector, tsvector } from "./search";
import { tasks } from "./tasks";
import { users } from "./users";

/** Mirrors tables/boards.ts; `search` stands for SQLite's boards_fts and comments_fts. */
export const boards = pgTable(
  "boards",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
    version: integer("version").notNull().default(1),
    search: tsvector("search").generatedAlwaysAs(searchVector("name", "description")),
  },
  (table) => [
    index("boards_owner_idx").on(table.ownerId),
    index("boards_search_idx").using("gin", table.search),
  ],
);

export const boardMembers = pgTable(
  "board_members",
  {
    boardId: integer("board_id")
      .notNull()
      .references(() => boards.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: BOARD_ROLES }).notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.boardId, table.userId] }),
    uniqueIndex("board_members_user_board_unique").on(table.userId, table.boardId, table.role),
  ],
);

export const lists = pgTable(
  "lists",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    boardId: integer("board_id")
      .notNull()
      .references(() => boards.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
  },
  (table) => [index("lists_board_position_idx").on(table.boardId, table.position)],
);

export const comments = pgTable(
  "comments",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
    editedAt: bigint("edited_at", { mode: "number" }),
    search: tsvector("search").generatedAlwaysAs(searchVector("body")),
  },
  (table) => [
    index("comments_task_idx").on(table.taskId, table.id),
    index("comments_author_idx").on(table.authorId),
    index("comments_search_idx").using("gin", table.search),
  ],
);

export const activity = pgTable(
  "activity",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    boardId: integer("board_id")
      .notNull()
      .references(() => boards.id, { onDelete: "cascade" }),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: integer("subject_id").notNull(),
    /** JSON object. */
    data: text("data").notNull().default("{}"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    index("activity_board_idx").on(table.boardId, table.id),
    index("activity_actor_idx").on(table.actorId),
  ],
);

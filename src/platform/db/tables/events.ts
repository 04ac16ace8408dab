import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The change feed behind the WebSocket and GET /events: one row per event, written in the
 * transaction of the change it describes (the outbox pattern), so an event exists exactly when its
 * change committed. `seq` is the global order: it only grows (AUTOINCREMENT never reuses a number,
 * even after old rows are pruned), and SQLite's single writer makes commit order and `seq` order
 * the same.
 *
 * Who may read an event: the one user named by `user_id` when it is set (personal tasks,
 * notifications, a removed member's own notice); otherwise every member of `board_id`. No foreign
 * keys: a board's `board.deleted` must outlive the board, and an account's rows are removed with
 * the account by its deletion.
 */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    type: text("type").notNull(),
    boardId: integer("board_id"),
    userId: integer("user_id"),
    /** JSON: the resource as the REST API returns it, or its ids for a deletion. */
    data: text("data").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  // Partial indexes: a personal task's events have no board, a board's events no user, and an
  // index entry of NULL would only cost its write. Retention walks `seq` order and needs none.
  (table) => [
    index("events_board_seq_idx")
      .on(table.boardId, table.seq)
      .where(sql`${table.boardId} IS NOT NULL`),
    index("events_user_seq_idx")
      .on(table.userId, table.seq)
      .where(sql`${table.userId} IS NOT NULL`),
  ],
);

/**
 * One row (id 1): the newest `seq` that retention has removed. A client asking for events after
 * an older `seq` has missed some and must refetch instead.
 */
export const eventLog = sqliteTable("event_log", {
  id: integer("id").primaryKey(),
  prunedThrough: integer("pruned_through").notNull().default(0),
});

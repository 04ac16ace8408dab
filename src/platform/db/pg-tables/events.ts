import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Mirrors tables/events.ts. `seq` comes from an identity sequence, which hands numbers out at
 * insert: transactions commit in `seq` order only because every one takes the shared write lock
 * first (postgres-sql.ts, docs/decisions/014-realtime-feed.md). No foreign keys, as on SQLite.
 */
export const events = pgTable(
  "events",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    type: text("type").notNull(),
    boardId: integer("board_id"),
    userId: integer("user_id"),
    /** JSON: the resource as the REST API returns it, or its ids for a deletion. */
    data: text("data").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [
    index("events_board_seq_idx")
      .on(table.boardId, table.seq)
      .where(sql`${table.boardId} IS NOT NULL`),
    index("events_user_seq_idx")
      .on(table.userId, table.seq)
      .where(sql`${table.userId} IS NOT NULL`),
  ],
);

/** One row (id 1, inserted by a custom migration as on SQLite): the newest pruned `seq`. */
export const eventLog = pgTable("event_log", {
  id: integer("id").primaryKey(),
  prunedThrough: bigint("pruned_through", { mode: "number" }).notNull().default(0),
});

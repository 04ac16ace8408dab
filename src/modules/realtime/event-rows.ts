import type { Database } from "bun:sqlite";
import { SIGNAL_TYPES } from "./event-types";

/** An event as stored; `data` is JSON text, kept as text until a client needs it. */
export interface StoredEvent {
  seq: number;
  type: string;
  board_id: number | null;
  user_id: number | null;
  data: string;
  created_at: number;
}

const COLUMNS = "seq, type, board_id, user_id, data, created_at";
const NOT_A_SIGNAL = `type NOT IN (${SIGNAL_TYPES.map((type) => `'${type}'`).join(", ")})`;

/** Adds an event and returns it as stored, `seq` included. */
export function insertEventRow(sqlite: Database, row: Omit<StoredEvent, "seq">): StoredEvent {
  const { lastInsertRowid } = sqlite
    .query("INSERT INTO events (type, board_id, user_id, data, created_at) VALUES (?, ?, ?, ?, ?)")
    .run(row.type, row.board_id, row.user_id, row.data, row.created_at);
  return { seq: Number(lastInsertRowid), ...row };
}

/**
 * Every event after `since` (up to `until`), signals included, in order: what a server delivers.
 */
export function selectEventsAfter(
  sqlite: Database,
  since: number,
  until: number,
  limit: number,
): StoredEvent[] {
  return sqlite
    .query<StoredEvent, [number, number, number]>(
      `SELECT ${COLUMNS} FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    )
    .all(since, until, limit);
}

/**
 * The events after `since` (up to `until`) that `userId` may read now, oldest first: those
 * addressed to them, and those of the boards they are a member of. Two index ranges, one per
 * kind, so other people's events cost nothing.
 */
export function selectVisibleEvents(
  sqlite: Database,
  userId: number,
  since: number,
  until: number,
  limit: number,
): StoredEvent[] {
  return sqlite
    .query<StoredEvent, { $user: number; $since: number; $until: number; $limit: number }>(
      `SELECT ${COLUMNS} FROM events
       WHERE user_id = $user AND seq > $since AND seq <= $until AND ${NOT_A_SIGNAL}
       UNION ALL
       SELECT ${COLUMNS} FROM events
       WHERE board_id IN (SELECT board_id FROM board_members WHERE user_id = $user)
         AND user_id IS NULL AND seq > $since AND seq <= $until
       ORDER BY seq LIMIT $limit`,
    )
    .all({ $user: userId, $since: since, $until: until, $limit: limit });
}

/** The newest `seq` handed out (0 before the first event). */
export function selectHeadSeq(sqlite: Database): number {
  const row = sqlite
    .query<{ head: number }, []>(
      `SELECT max(coalesce((SELECT max(seq) FROM events), 0),
                  (SELECT pruned_through FROM event_log WHERE id = 1)) AS head`,
    )
    .get();
  return row?.head ?? 0;
}

/** The newest `seq` retention has removed: a client that saw less has missed events. */
export function selectPrunedThrough(sqlite: Database): number {
  const row = sqlite
    .query<{ pruned_through: number }, []>("SELECT pruned_through FROM event_log WHERE id = 1")
    .get();
  return row?.pruned_through ?? 0;
}

/**
 * Removes events older than `before`, as a prefix of the feed, and remembers how far it went.
 * Returns how many were removed.
 */
export function pruneEvents(sqlite: Database, before: number): number {
  // The first event young enough to keep, found by walking the feed from its oldest end: only
  // the rows about to go are read. `seq` and time advance together, so what comes before it is
  // the prefix to remove.
  const firstKept = sqlite
    .query<{ seq: number }, [number]>(
      "SELECT seq FROM events WHERE created_at >= ? ORDER BY seq LIMIT 1",
    )
    .get(before);
  const last = firstKept
    ? firstKept.seq - 1
    : (sqlite.query<{ seq: number | null }, []>("SELECT max(seq) AS seq FROM events").get()?.seq ??
      0);
  const removed = sqlite.query("DELETE FROM events WHERE seq <= ?").run(last).changes;
  if (removed === 0) return 0;
  sqlite
    .query("UPDATE event_log SET pruned_through = max(pruned_through, ?) WHERE id = 1")
    .run(last);
  return removed;
}

/** An account's own events go with the account. */
export function deleteEventsOfUser(sqlite: Database, userId: number): void {
  sqlite.query("DELETE FROM events WHERE user_id = ?").run(userId);
}

import type { Sql } from "../../platform/db/sql";
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
export async function insertEventRow(
  sql: Sql,
  row: Omit<StoredEvent, "seq">,
): Promise<StoredEvent> {
  const inserted = await sql.get<{ seq: number }>(
    "INSERT INTO events (type, board_id, user_id, data, created_at) VALUES (?, ?, ?, ?, ?) RETURNING seq",
    [row.type, row.board_id, row.user_id, row.data, row.created_at],
  );
  if (!inserted) throw new Error("INSERT … RETURNING gave no row");
  return { seq: inserted.seq, ...row };
}

/**
 * Every event after `since` (up to `until`), signals included, in order: what a server delivers.
 */
export async function selectEventsAfter(
  sql: Sql,
  since: number,
  until: number,
  limit: number,
): Promise<StoredEvent[]> {
  return await sql.all<StoredEvent>(
    `SELECT ${COLUMNS} FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    [since, until, limit],
  );
}

/**
 * The events after `since` (up to `until`) that `userId` may read now, oldest first: those
 * addressed to them, and those of the boards they are a member of. Two index ranges, one per
 * kind, so other people's events cost nothing.
 */
export async function selectVisibleEvents(
  sql: Sql,
  userId: number,
  since: number,
  until: number,
  limit: number,
): Promise<StoredEvent[]> {
  return await sql.all<StoredEvent>(
    `SELECT ${COLUMNS} FROM events
     WHERE user_id = ? AND seq > ? AND seq <= ? AND ${NOT_A_SIGNAL}
     UNION ALL
     SELECT ${COLUMNS} FROM events
     WHERE board_id IN (SELECT board_id FROM board_members WHERE user_id = ?)
       AND user_id IS NULL AND seq > ? AND seq <= ?
     ORDER BY seq LIMIT ?`,
    [userId, since, until, userId, since, until, limit],
  );
}

/** The newest `seq` handed out (0 before the first event). */
export async function selectHeadSeq(sql: Sql): Promise<number> {
  const row = await sql.get<{ seq: number | null; pruned: number | null }>(
    `SELECT (SELECT max(seq) FROM events) AS seq,
       (SELECT pruned_through FROM event_log WHERE id = 1) AS pruned`,
  );
  return Math.max(row?.seq ?? 0, row?.pruned ?? 0);
}

/** The newest `seq` retention has removed: a client that saw less has missed events. */
export async function selectPrunedThrough(sql: Sql): Promise<number> {
  const row = await sql.get<{ pruned_through: number }>(
    "SELECT pruned_through FROM event_log WHERE id = 1",
  );
  return row?.pruned_through ?? 0;
}

/**
 * Removes events older than `before`, as a prefix of the feed, and remembers how far it went.
 * Returns how many were removed.
 */
export async function pruneEvents(sql: Sql, before: number): Promise<number> {
  // The first event young enough to keep, found by walking the feed from its oldest end: only
  // the rows about to go are read. `seq` and time advance together, so what comes before it is
  // the prefix to remove.
  const firstKept = await sql.get<{ seq: number }>(
    "SELECT seq FROM events WHERE created_at >= ? ORDER BY seq LIMIT 1",
    [before],
  );
  const last = firstKept
    ? firstKept.seq - 1
    : ((await sql.get<{ seq: number | null }>("SELECT max(seq) AS seq FROM events"))?.seq ?? 0);
  const removed = (await sql.run("DELETE FROM events WHERE seq <= ?", [last])).changes;
  if (removed === 0) return 0;
  await sql.run("UPDATE event_log SET pruned_through = ? WHERE id = 1 AND pruned_through < ?", [
    last,
    last,
  ]);
  return removed;
}

/** An account's own events go with the account. */
export async function deleteEventsOfUser(sql: Sql, userId: number): Promise<void> {
  await sql.run("DELETE FROM events WHERE user_id = ?", [userId]);
}

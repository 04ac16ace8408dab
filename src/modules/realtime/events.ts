import type { Sql } from "../../platform/db/sql";
import { deleteEventsOfUser, insertEventRow, type StoredEvent } from "./event-rows";
import type { EventType, SignalType } from "./event-types";

export interface NewEvent {
  type: EventType;
  /** The board the event belongs to; null for personal tasks and notifications. */
  boardId: number | null;
  /** Set: only this user may read the event. Unset: every member of `boardId`. */
  userId?: number | null;
  /** The resource as the REST API returns it, or `{ id }` for a deletion. */
  data: object;
}

export interface SessionsEnded {
  userId: number;
  /** The sessions that ended; left out: every session of the user. */
  sessionIds?: number[];
}

/**
 * What a feed is handed when an outermost transaction has ended: the events known to have
 * committed, in order, and whether others may have been recorded outside it (with no end seen)
 * or dropped by a rollback, which the feed must then read back.
 */
export interface Recorded {
  committed: StoredEvent[];
  unsure: boolean;
}

interface Outbox {
  /** Recorded in the transaction still open (or outside any, whose end is never seen). */
  pending: StoredEvent[];
}

// The feed that delivers each database's events, if one runs in this process (see feed.ts).
const outboxes = new WeakMap<Sql, Outbox>();

/** Called by the feed: `wake` runs right after each outermost transaction that recorded events. */
export function onEventsRecorded(sql: Sql, wake: ((recorded: Recorded) => void) | null): void {
  if (!wake) {
    outboxes.delete(sql);
    sql.onTransactionEnd(null);
    return;
  }
  const outbox: Outbox = { pending: [] };
  outboxes.set(sql, outbox);
  // Told synchronously after COMMIT or ROLLBACK, before anything else can use the connection:
  // what is pending then belongs to the transaction that just ended.
  sql.onTransactionEnd({
    committed() {
      if (outbox.pending.length === 0) return;
      const committed = outbox.pending;
      outbox.pending = [];
      wake({ committed, unsure: false });
    },
    rolledBack() {
      if (outbox.pending.length === 0) return;
      outbox.pending = [];
      // Some may have been recorded outside the transaction and committed: read them back.
      wake({ committed: [], unsure: true });
    },
  });
}

/**
 * Adds an event to the feed, inside the caller's write transaction. The feed hears of it once the
 * outermost transaction has committed, and nothing of a rollback.
 */
export async function recordEvent(sql: Sql, now: number, event: NewEvent): Promise<void> {
  await insertEvent(sql, now, event.type, event.boardId, event.userId ?? null, event.data);
}

/**
 * An account is being deleted: the events only it could read go with it, and its sockets close
 * once the deletion commits.
 */
export async function forgetEventsOf(sql: Sql, now: number, userId: number): Promise<void> {
  await deleteEventsOfUser(sql, userId);
  await recordSessionsEnded(sql, now, { userId });
}

/** Records that sessions ended, so every server closes their sockets once this commits. */
export async function recordSessionsEnded(
  sql: Sql,
  now: number,
  ended: SessionsEnded,
): Promise<void> {
  if (ended.sessionIds?.length === 0) return;
  const data = ended.sessionIds ? { session_ids: ended.sessionIds } : { all: true };
  await insertEvent(sql, now, "sessions.ended", null, ended.userId, data);
}

async function insertEvent(
  sql: Sql,
  now: number,
  type: EventType | SignalType,
  boardId: number | null,
  userId: number | null,
  data: object,
): Promise<void> {
  // On PostgreSQL only the transaction's write lock makes events commit in `seq` order (016),
  // and the feed hears of events when their transaction ends: an event outside one is a bug.
  if (!sql.inTransaction()) {
    throw new Error(`event ${type} recorded outside deps.sql.transaction`);
  }
  const event = await insertEventRow(sql, {
    type,
    board_id: boardId,
    user_id: userId,
    data: JSON.stringify(data),
    created_at: now,
  });
  // Kept so that the feed need not read back what it sees commit.
  outboxes.get(sql)?.pending.push(event);
}

import type { Database } from "bun:sqlite";
import { onWriteTransactionEnd } from "../../platform/db/tx";
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
 * What a feed is handed after the transactions of one synchronous stretch have ended: the events
 * known to have committed, in order, and whether others were recorded in a transaction whose end
 * went unseen (one not opened by writeTransaction) or before a rollback, which the feed must then
 * read back.
 */
export interface Recorded {
  committed: StoredEvent[];
  unsure: boolean;
}

interface Outbox {
  wake(recorded: Recorded): void;
  /** Recorded in the transaction still open (or one whose end was not seen). */
  pending: StoredEvent[];
  committed: StoredEvent[];
  /** A rollback dropped pending events, some perhaps of an unseen transaction that committed. */
  rolledBack: boolean;
  scheduled: boolean;
}

// The feed that delivers each database's events, if one runs in this process (see feed.ts).
const outboxes = new WeakMap<Database, Outbox>();

/** Called by the feed: `wake` runs after the transactions that recorded events have ended. */
export function onEventsRecorded(
  sqlite: Database,
  wake: ((recorded: Recorded) => void) | null,
): void {
  if (!wake) {
    outboxes.delete(sqlite);
    onWriteTransactionEnd(sqlite, null);
    return;
  }
  const outbox: Outbox = { wake, pending: [], committed: [], rolledBack: false, scheduled: false };
  outboxes.set(sqlite, outbox);
  onWriteTransactionEnd(sqlite, {
    committed() {
      outbox.committed.push(...outbox.pending);
      outbox.pending = [];
    },
    rolledBack() {
      if (outbox.pending.length > 0) outbox.rolledBack = true;
      outbox.pending = [];
    },
  });
}

/**
 * Adds an event to the feed, inside the caller's write transaction. Transactions on bun:sqlite
 * are synchronous, so a microtask queued here runs only once the outermost transaction has
 * committed or rolled back: the feed then delivers what committed, and nothing of a rollback.
 */
export function recordEvent(sqlite: Database, now: number, event: NewEvent): void {
  insertEvent(sqlite, now, event.type, event.boardId, event.userId ?? null, event.data);
}

/**
 * An account is being deleted: the events only it could read go with it, and its sockets close
 * once the deletion commits.
 */
export function forgetEventsOf(sqlite: Database, now: number, userId: number): void {
  deleteEventsOfUser(sqlite, userId);
  recordSessionsEnded(sqlite, now, { userId });
}

/** Records that sessions ended, so every server closes their sockets once this commits. */
export function recordSessionsEnded(sqlite: Database, now: number, ended: SessionsEnded): void {
  if (ended.sessionIds?.length === 0) return;
  const data = ended.sessionIds ? { session_ids: ended.sessionIds } : { all: true };
  insertEvent(sqlite, now, "sessions.ended", null, ended.userId, data);
}

function insertEvent(
  sqlite: Database,
  now: number,
  type: EventType | SignalType,
  boardId: number | null,
  userId: number | null,
  data: object,
): void {
  const event = insertEventRow(sqlite, {
    type,
    board_id: boardId,
    user_id: userId,
    data: JSON.stringify(data),
    created_at: now,
  });
  const outbox = outboxes.get(sqlite);
  if (!outbox) return;
  // Kept so that the feed need not read back what writeTransaction saw commit.
  outbox.pending.push(event);
  if (outbox.scheduled) return;
  outbox.scheduled = true;
  queueMicrotask(() => {
    const unsure = outbox.rolledBack || outbox.pending.length > 0;
    const recorded = { committed: outbox.committed, unsure };
    outbox.scheduled = false;
    outbox.rolledBack = false;
    outbox.pending = [];
    outbox.committed = [];
    outbox.wake(recorded);
  });
}

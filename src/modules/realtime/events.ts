import type { Database } from "bun:sqlite";
import { deleteEventsOfUser, insertEventRow } from "./event-rows";
import type { EventType, SignalType } from "./event-types";

export { EVENT_TYPES, type EventType } from "./event-types";

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

// The feed that delivers each database's events, if one runs in this process (see feed.ts).
const wakers = new WeakMap<Database, () => void>();
const scheduled = new WeakSet<Database>();

/** Called by the feed: `wake` runs after a transaction that recorded events has finished. */
export function onEventsRecorded(sqlite: Database, wake: (() => void) | null): void {
  if (wake) wakers.set(sqlite, wake);
  else wakers.delete(sqlite);
}

/**
 * Adds an event to the feed, inside the caller's write transaction. Transactions on bun:sqlite
 * are synchronous, so a microtask queued here runs only once the outermost transaction has
 * committed or rolled back: the feed then reads what committed, and nothing of a rollback.
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
  insertEventRow(sqlite, { type, boardId, userId, data: JSON.stringify(data), createdAt: now });
  wakeAfterCommit(sqlite);
}

function wakeAfterCommit(sqlite: Database): void {
  const wake = wakers.get(sqlite);
  if (!wake || scheduled.has(sqlite)) return;
  scheduled.add(sqlite);
  queueMicrotask(() => {
    scheduled.delete(sqlite);
    wake();
  });
}

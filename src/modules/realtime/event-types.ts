/** What clients receive: the contract's event types. */
export const EVENT_TYPES = [
  "task.created",
  "task.updated",
  "task.deleted",
  "list.created",
  "list.updated",
  "list.deleted",
  "board.updated",
  "board.deleted",
  "member.added",
  "member.updated",
  "member.removed",
  "comment.created",
  "comment.updated",
  "comment.deleted",
  "notification.created",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Signals for the servers themselves, carried by the same feed so that every instance sees them
 * in order and only after commit; never sent to clients. `sessions.ended`: close the sockets of
 * these sessions (or of every session of a user).
 */
export const SIGNAL_TYPES = ["sessions.ended"] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

import type { Sql } from "../../platform/db/sql";
import { touchBoard } from "./rows";

export const ACTIVITY_ACTIONS = [
  "board.created",
  "board.updated",
  "member.added",
  "member.role_changed",
  "member.removed",
  "list.created",
  "list.renamed",
  "list.moved",
  "list.deleted",
  "card.created",
  "card.updated",
  "card.moved",
  "card.deleted",
  "comment.created",
  "comment.edited",
  "comment.deleted",
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export const SUBJECT_TYPES = ["board", "member", "list", "card", "comment"] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface BoardChange {
  boardId: number;
  /** Who made the change. */
  actorId: number;
  action: ActivityAction;
  subjectType: SubjectType;
  subjectId: number;
  /** What changed, for people reading the activity: small, and no secrets. */
  data?: Record<string, unknown>;
}

/**
 * Every change on a board passes through here, inside the transaction that makes it, once per
 * change, to write its activity entry. (Its realtime events are recorded beside it, by the
 * module's events.ts: they carry the REST resource, which only the service has at hand.)
 *
 * Changes to what GET /boards/{id} returns (everything but comments) also move the board's
 * revision, so its ETag tells a reader that the board has changed; a new board starts at 1.
 */
export async function recordBoardChange(sql: Sql, now: number, change: BoardChange): Promise<void> {
  await sql.run(
    `INSERT INTO activity (board_id, actor_id, action, subject_type, subject_id, data, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      change.boardId,
      change.actorId,
      change.action,
      change.subjectType,
      change.subjectId,
      JSON.stringify(change.data ?? {}),
      now,
    ],
  );
  if (change.subjectType !== "comment" && change.action !== "board.created") {
    await touchBoard(sql, change.boardId, now);
  }
}

import type { Sql } from "../../platform/db/sql";
import { recordEvent } from "../realtime/events";
import type { CommentView } from "./service";

/** Where a comment's events go: its card's board, or the owner of its personal task. */
export interface CommentAudience {
  boardId: number | null;
  ownerId: number;
}

const to = (audience: CommentAudience) => ({
  boardId: audience.boardId,
  userId: audience.boardId === null ? audience.ownerId : null,
});

export async function recordCommentSaved(
  sql: Sql,
  now: number,
  type: "comment.created" | "comment.updated",
  comment: CommentView,
  audience: CommentAudience,
): Promise<void> {
  await recordEvent(sql, now, { type, ...to(audience), data: comment });
}

/** A comment deleted: its ids only. */
export async function recordCommentGone(
  sql: Sql,
  now: number,
  comment: { id: number; task_id: number },
  audience: CommentAudience,
): Promise<void> {
  await recordEvent(sql, now, {
    type: "comment.deleted",
    ...to(audience),
    data: { id: comment.id, task_id: comment.task_id },
  });
}

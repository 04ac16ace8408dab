import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import type { Sql } from "../../platform/db/sql";
import type { TaskRow } from "../../platform/db/tables";
import { NotFound } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { authorizeComment, authorizeTask, NOT_FOUND } from "../boards/access";
import { recordBoardChange } from "../boards/changes";
import { raiseCommentNotices } from "../notifications/raise";
import { selectTaskRows } from "../tasks/rows";
import { recordCommentGone, recordCommentSaved } from "./events";
import {
  deleteComment as deleteCommentRow,
  insertComment,
  type StoredComment,
  selectComment,
  selectCommentsOf,
  updateCommentBody,
} from "./rows";

export function presentComment(comment: StoredComment) {
  return {
    id: comment.id,
    task_id: comment.task_id,
    author: { id: comment.author_id, username: comment.author_username },
    body: comment.body,
    created_at: toIso(comment.created_at),
    updated_at: toIso(comment.updated_at),
    edited_at: toIso(comment.edited_at),
  };
}

export type CommentView = ReturnType<typeof presentComment>;

/** A task's comments, oldest first, for whoever may see the task. */
export async function listComments(
  { deps, actor }: ActorContext,
  taskId: number,
  input: { limit?: number; offset?: number },
) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const task = await mustFindTask(deps.sql, taskId, "task");
  await authorizeTask(deps.sql, actor.userId, task, "comment.read");
  const { rows, total } = await selectCommentsOf(deps.sql, task.id, limit, offset);
  return { items: rows.map(presentComment), total, limit, offset };
}

export async function getComment(
  { deps, actor }: ActorContext,
  commentId: number,
): Promise<CommentView> {
  return presentComment(
    (await findCommentFor(deps.sql, actor.userId, commentId, "comment.read")).comment,
  );
}

/** Comments on a card are for its board's editors and owner; on a personal task, its owner's. */
export async function createComment(
  { deps, actor }: ActorContext,
  taskId: number,
  input: { body: string },
): Promise<CommentView> {
  const now = deps.clock.now();
  const body = input.body.trim();
  return await deps.sql.transaction(async () => {
    const task = await mustFindTask(deps.sql, taskId, "task");
    await authorizeTask(deps.sql, actor.userId, task, "comment.create");
    const id = await insertComment(deps.sql, {
      taskId: task.id,
      authorId: actor.userId,
      body,
      now,
    });
    await recordCommentChange(deps.sql, now, actor.userId, task, id, "comment.created");
    const created = presentComment(await mustFindComment(deps.sql, id));
    await recordCommentSaved(deps.sql, now, "comment.created", created, audienceOf(task));
    // After the comment's own event: a notification names a comment its reader has seen.
    await raiseCommentNotices(deps, now, actor.userId, task, id, body);
    return created;
  });
}

/** The author edits their comment; `edited_at` says when. */
export async function updateComment(
  { deps, actor }: ActorContext,
  commentId: number,
  input: { body: string },
): Promise<CommentView> {
  const now = deps.clock.now();
  const body = input.body.trim();
  return await deps.sql.transaction(async () => {
    const { comment, task } = await findCommentFor(
      deps.sql,
      actor.userId,
      commentId,
      "comment.update",
    );
    if (body === comment.body) return presentComment(comment);
    await updateCommentBody(deps.sql, comment.id, body, now);
    await recordCommentChange(deps.sql, now, actor.userId, task, comment.id, "comment.edited");
    // What updateCommentBody wrote: no need to read the row back.
    const updated = presentComment({ ...comment, body, updated_at: now, edited_at: now });
    await recordCommentSaved(deps.sql, now, "comment.updated", updated, audienceOf(task));
    return updated;
  });
}

/** The author, or the board's owner, deletes a comment. */
export async function deleteComment(
  { deps, actor }: ActorContext,
  commentId: number,
): Promise<void> {
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    const { comment, task } = await findCommentFor(
      deps.sql,
      actor.userId,
      commentId,
      "comment.delete",
    );
    await deleteCommentRow(deps.sql, comment.id);
    await recordCommentChange(deps.sql, now, actor.userId, task, comment.id, "comment.deleted");
    await recordCommentGone(deps.sql, now, comment, audienceOf(task));
  });
}

const audienceOf = (task: TaskRow) => ({ boardId: task.boardId, ownerId: task.ownerId });

async function recordCommentChange(
  sql: Sql,
  now: number,
  actorId: number,
  task: TaskRow,
  commentId: number,
  action: "comment.created" | "comment.edited" | "comment.deleted",
): Promise<void> {
  if (task.boardId === null) return;
  await recordBoardChange(sql, now, {
    boardId: task.boardId,
    actorId,
    action,
    subjectType: "comment",
    subjectId: commentId,
    data: { task_id: task.id },
  });
}

/**
 * The comment with its task, if the user may do `action` to it: 404 alike for no comment and no
 * access to its task; reading follows the task, changing also needs authorship (or ownership).
 */
async function findCommentFor(
  sql: Sql,
  userId: number,
  commentId: number,
  action: "comment.read" | "comment.update" | "comment.delete",
): Promise<{ comment: StoredComment; task: TaskRow }> {
  const comment = await mustFindComment(sql, commentId);
  const task = await mustFindTask(sql, comment.task_id, "comment");
  if (action === "comment.read") await authorizeTask(sql, userId, task, action, "comment");
  else await authorizeComment(sql, userId, { authorId: comment.author_id }, task, action);
  return { comment, task };
}

async function mustFindComment(sql: Sql, commentId: number): Promise<StoredComment> {
  const comment = await selectComment(sql, commentId);
  if (!comment) throw new NotFound(NOT_FOUND.comment);
  return comment;
}

/** The task, or 404 worded for what the caller asked about. */
async function mustFindTask(
  sql: Sql,
  taskId: number,
  hidden: "task" | "comment",
): Promise<TaskRow> {
  const task = (await selectTaskRows(sql, [taskId]))[0];
  if (!task) throw new NotFound(NOT_FOUND[hidden]);
  return task;
}

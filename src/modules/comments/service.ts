import type { Database } from "bun:sqlite";
import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import type { TaskRow } from "../../platform/db/tables";
import { writeTransaction } from "../../platform/db/tx";
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
export function listComments(
  { deps, actor }: ActorContext,
  taskId: number,
  input: { limit?: number; offset?: number },
) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const task = mustFindTask(deps.sqlite, taskId, "task");
  authorizeTask(deps.sqlite, actor.userId, task, "comment.read");
  const { rows, total } = selectCommentsOf(deps.sqlite, task.id, limit, offset);
  return { items: rows.map(presentComment), total, limit, offset };
}

export function getComment({ deps, actor }: ActorContext, commentId: number): CommentView {
  return presentComment(
    findCommentFor(deps.sqlite, actor.userId, commentId, "comment.read").comment,
  );
}

/** Comments on a card are for its board's editors and owner; on a personal task, its owner's. */
export function createComment(
  { deps, actor }: ActorContext,
  taskId: number,
  input: { body: string },
): CommentView {
  const now = deps.clock.now();
  const body = input.body.trim();
  return writeTransaction(deps.sqlite, () => {
    const task = mustFindTask(deps.sqlite, taskId, "task");
    authorizeTask(deps.sqlite, actor.userId, task, "comment.create");
    const id = insertComment(deps.sqlite, { taskId: task.id, authorId: actor.userId, body, now });
    recordCommentChange(deps.sqlite, now, actor.userId, task, id, "comment.created");
    const created = presentComment(mustFindComment(deps.sqlite, id));
    recordCommentSaved(deps.sqlite, now, "comment.created", created, audienceOf(task));
    // After the comment's own event: a notification names a comment its reader has seen.
    raiseCommentNotices(deps, now, actor.userId, task, id, body);
    return created;
  });
}

/** The author edits their comment; `edited_at` says when. */
export function updateComment(
  { deps, actor }: ActorContext,
  commentId: number,
  input: { body: string },
): CommentView {
  const now = deps.clock.now();
  const body = input.body.trim();
  return writeTransaction(deps.sqlite, () => {
    const { comment, task } = findCommentFor(
      deps.sqlite,
      actor.userId,
      commentId,
      "comment.update",
    );
    if (body === comment.body) return presentComment(comment);
    updateCommentBody(deps.sqlite, comment.id, body, now);
    recordCommentChange(deps.sqlite, now, actor.userId, task, comment.id, "comment.edited");
    // What updateCommentBody wrote: no need to read the row back.
    const updated = presentComment({ ...comment, body, updated_at: now, edited_at: now });
    recordCommentSaved(deps.sqlite, now, "comment.updated", updated, audienceOf(task));
    return updated;
  });
}

/** The author, or the board's owner, deletes a comment. */
export function deleteComment({ deps, actor }: ActorContext, commentId: number): void {
  const now = deps.clock.now();
  writeTransaction(deps.sqlite, () => {
    const { comment, task } = findCommentFor(
      deps.sqlite,
      actor.userId,
      commentId,
      "comment.delete",
    );
    deleteCommentRow(deps.sqlite, comment.id);
    recordCommentChange(deps.sqlite, now, actor.userId, task, comment.id, "comment.deleted");
    recordCommentGone(deps.sqlite, now, comment, audienceOf(task));
  });
}

const audienceOf = (task: TaskRow) => ({ boardId: task.boardId, ownerId: task.ownerId });

function recordCommentChange(
  sqlite: Database,
  now: number,
  actorId: number,
  task: TaskRow,
  commentId: number,
  action: "comment.created" | "comment.edited" | "comment.deleted",
): void {
  if (task.boardId === null) return;
  recordBoardChange(sqlite, now, {
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
function findCommentFor(
  sqlite: Database,
  userId: number,
  commentId: number,
  action: "comment.read" | "comment.update" | "comment.delete",
): { comment: StoredComment; task: TaskRow } {
  const comment = mustFindComment(sqlite, commentId);
  const task = mustFindTask(sqlite, comment.task_id, "comment");
  if (action === "comment.read") authorizeTask(sqlite, userId, task, action, "comment");
  else authorizeComment(sqlite, userId, { authorId: comment.author_id }, task, action);
  return { comment, task };
}

function mustFindComment(sqlite: Database, commentId: number): StoredComment {
  const comment = selectComment(sqlite, commentId);
  if (!comment) throw new NotFound(NOT_FOUND.comment);
  return comment;
}

/** The task, or 404 worded for what the caller asked about. */
function mustFindTask(sqlite: Database, taskId: number, hidden: "task" | "comment"): TaskRow {
  const task = selectTaskRows(sqlite, [taskId])[0];
  if (!task) throw new NotFound(NOT_FOUND[hidden]);
  return task;
}

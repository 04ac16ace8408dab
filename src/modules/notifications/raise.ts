import type { Database } from "bun:sqlite";
import type { Clock } from "../../platform/clock";
import type { Db } from "../../platform/db/client";
import type { BoardRole, TaskRow } from "../../platform/db/tables";
import { newOpaqueToken } from "../auth/opaque-tokens";
import { findRole } from "../boards/access";
import { selectBoard, usernameOf } from "../boards/rows";
import { enqueueEmail } from "../jobs/handlers";
import { recordEvent } from "../realtime/events";
import { notificationEmail } from "./email";
import { mentionedNames } from "./mentions";
import { type NotificationView, presentNotification } from "./present";
import {
  insertNotification,
  insertUnsubscribeToken,
  type NewNotification,
  selectRecipient,
  selectUserIdsByName,
} from "./rows";

/**
 * Raising notifications. Each function runs inside the write transaction of its cause, so a
 * notification, its `notification.created` event and its email job exist exactly when the cause
 * committed.
 */

/** What raising needs; the server's Deps has it all, the CLI's store all but the job worker. */
export interface NoticeContext {
  sqlite: Database;
  db: Db;
  clock: Clock;
  config: { appUrl: string };
  jobs?: { kick(): void };
}

/** How much of a comment a notification (and its email) quotes. */
const EXCERPT_LENGTH = 280;

/** Stores one notification, records its event for the recipient and, if wanted, emails it. */
export function raiseNotice(
  ctx: NoticeContext,
  now: number,
  notice: NewNotification,
  options: { email: boolean } = { email: true },
): NotificationView {
  const notification = presentNotification(insertNotification(ctx.sqlite, notice, now));
  recordEvent(ctx.sqlite, now, {
    type: "notification.created",
    boardId: notification.board_id,
    userId: notice.userId,
    data: notification,
  });
  if (options.email) enqueueNoticeEmail(ctx, now, notice.userId, notification);
  return notification;
}

/**
 * Emails go only to users who want them, at an address they have proved is theirs: otherwise an
 * account signed up with someone else's address would send that person mail at others' will.
 */
function enqueueNoticeEmail(
  ctx: NoticeContext,
  now: number,
  userId: number,
  notification: NotificationView,
): void {
  const recipient = selectRecipient(ctx.sqlite, userId);
  if (!recipient?.email_notifications || !recipient.email_verified) return;
  const unsubscribe = newOpaqueToken();
  insertUnsubscribeToken(ctx.sqlite, unsubscribe.hash, userId, now);
  const message = notificationEmail(ctx.config.appUrl, recipient, notification, unsubscribe.token);
  enqueueEmail(ctx.db, ctx, message);
}

/** A task's new assignee hears of it, unless they assigned it to themselves. */
export function raiseAssignmentNotice(
  ctx: NoticeContext,
  now: number,
  actorId: number,
  before: TaskRow | null,
  after: TaskRow,
): void {
  const assigneeId = after.assigneeId;
  if (assigneeId === null || assigneeId === actorId || assigneeId === before?.assigneeId) return;
  raiseNotice(ctx, now, {
    userId: assigneeId,
    type: "task_assigned",
    actorId,
    taskId: after.id,
    title: `${usernameOf(ctx.sqlite, actorId)} assigned you “${after.title}”`,
  });
}

/**
 * A new comment concerns the task's owner and assignee and everyone it mentions, if they can see
 * the task; never its author. Each hears of it once, as a mention when they are mentioned.
 */
export function raiseCommentNotices(
  ctx: NoticeContext,
  now: number,
  authorId: number,
  task: TaskRow,
  commentId: number,
  body: string,
): void {
  const mentioned = new Set(selectUserIdsByName(ctx.sqlite, mentionedNames(body)));
  const recipients = new Set(
    [task.ownerId, task.assigneeId, ...mentioned].filter(
      (userId): userId is number =>
        userId !== null && userId !== authorId && canSee(ctx.sqlite, task, userId),
    ),
  );
  if (recipients.size === 0) return;
  const author = usernameOf(ctx.sqlite, authorId);
  for (const userId of recipients) {
    const mention = mentioned.has(userId);
    raiseNotice(ctx, now, {
      userId,
      type: mention ? "comment_mention" : "task_comment",
      actorId: authorId,
      taskId: task.id,
      commentId,
      title: mention
        ? `${author} mentioned you on “${task.title}”`
        : `${author} commented on “${task.title}”`,
      body: excerpt(body),
    });
  }
}

/** Someone added the user to a board. */
export function raiseMemberAddedNotice(
  ctx: NoticeContext,
  now: number,
  actorId: number,
  boardId: number,
  member: { userId: number; role: BoardRole },
): void {
  if (member.userId === actorId) return;
  const board = selectBoard(ctx.sqlite, boardId);
  raiseNotice(ctx, now, {
    userId: member.userId,
    type: "board_member_added",
    actorId,
    boardId,
    title: `${usernameOf(ctx.sqlite, actorId)} added you to the board “${board?.name ?? ""}” as ${member.role}`,
  });
}

/**
 * The user's password changed. Not emailed as a notification: the security notice about it is
 * always emailed, whatever the user's preference, and one change is worth one email.
 */
export function raisePasswordChangedNotice(ctx: NoticeContext, now: number, userId: number): void {
  raiseNotice(
    ctx,
    now,
    {
      userId,
      type: "password_changed",
      actorId: null,
      title: "Your password was changed",
      body: "If this was not you, reset your password at once and check your sessions.",
    },
    { email: false },
  );
}

/** Whether the user may see the task: a member of its board, or the owner of a personal task. */
function canSee(sqlite: Database, task: TaskRow, userId: number): boolean {
  if (task.boardId === null) return userId === task.ownerId;
  return findRole(sqlite, task.boardId, userId) !== null;
}

function excerpt(text: string): string {
  const points = Array.from(text);
  return points.length <= EXCERPT_LENGTH
    ? text
    : `${points.slice(0, EXCERPT_LENGTH - 1).join("")}…`;
}

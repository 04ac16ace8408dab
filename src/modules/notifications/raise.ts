import type { Clock } from "../../platform/clock";
import type { Sql } from "../../platform/db/sql";
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
  sql: Sql;
  clock: Clock;
  config: { appUrl: string };
  jobs?: { kick(): void };
}

/** How much of a comment a notification (and its email) quotes. */
const EXCERPT_LENGTH = 280;

/** Stores one notification, records its event for the recipient and, if wanted, emails it. */
export async function raiseNotice(
  ctx: NoticeContext,
  now: number,
  notice: NewNotification,
  options: { email: boolean } = { email: true },
): Promise<NotificationView> {
  const notification = presentNotification(await insertNotification(ctx.sql, notice, now));
  await recordEvent(ctx.sql, now, {
    type: "notification.created",
    boardId: notification.board_id,
    userId: notice.userId,
    data: notification,
  });
  if (options.email) await enqueueNoticeEmail(ctx, now, notice.userId, notification);
  return notification;
}

/**
 * Emails go only to users who want them, at an address they have proved is theirs: otherwise an
 * account signed up with someone else's address would send that person mail at others' will.
 */
async function enqueueNoticeEmail(
  ctx: NoticeContext,
  now: number,
  userId: number,
  notification: NotificationView,
): Promise<void> {
  const recipient = await selectRecipient(ctx.sql, userId);
  if (!recipient?.email_notifications || !recipient.email_verified) return;
  const unsubscribe = newOpaqueToken();
  await insertUnsubscribeToken(ctx.sql, unsubscribe.hash, userId, now);
  const message = notificationEmail(ctx.config.appUrl, recipient, notification, unsubscribe.token);
  await enqueueEmail(ctx.sql, ctx, message);
}

/** A task's new assignee hears of it, unless they assigned it to themselves. */
export async function raiseAssignmentNotice(
  ctx: NoticeContext,
  now: number,
  actorId: number,
  before: TaskRow | null,
  after: TaskRow,
): Promise<void> {
  const assigneeId = after.assigneeId;
  if (assigneeId === null || assigneeId === actorId || assigneeId === before?.assigneeId) return;
  await raiseNotice(ctx, now, {
    userId: assigneeId,
    type: "task_assigned",
    actorId,
    taskId: after.id,
    title: `${await usernameOf(ctx.sql, actorId)} assigned you “${after.title}”`,
  });
}

/**
 * A new comment concerns the task's owner and assignee and everyone it mentions, if they can see
 * the task; never its author. Each hears of it once, as a mention when they are mentioned.
 */
export async function raiseCommentNotices(
  ctx: NoticeContext,
  now: number,
  authorId: number,
  task: TaskRow,
  commentId: number,
  body: string,
): Promise<void> {
  const mentioned = new Set(await selectUserIdsByName(ctx.sql, mentionedNames(body)));
  const recipients = new Set<number>();
  for (const userId of [task.ownerId, task.assigneeId, ...mentioned]) {
    if (userId === null || userId === authorId || recipients.has(userId)) continue;
    if (await canSee(ctx.sql, task, userId)) recipients.add(userId);
  }
  if (recipients.size === 0) return;
  const author = await usernameOf(ctx.sql, authorId);
  for (const userId of recipients) {
    const mention = mentioned.has(userId);
    await raiseNotice(ctx, now, {
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
export async function raiseMemberAddedNotice(
  ctx: NoticeContext,
  now: number,
  actorId: number,
  boardId: number,
  member: { userId: number; role: BoardRole },
): Promise<void> {
  if (member.userId === actorId) return;
  const board = await selectBoard(ctx.sql, boardId);
  await raiseNotice(ctx, now, {
    userId: member.userId,
    type: "board_member_added",
    actorId,
    boardId,
    title: `${await usernameOf(ctx.sql, actorId)} added you to the board “${board?.name ?? ""}” as ${member.role}`,
  });
}

/**
 * The user's password changed. Not emailed as a notification: the security notice about it is
 * always emailed, whatever the user's preference, and one change is worth one email.
 */
export async function raisePasswordChangedNotice(
  ctx: NoticeContext,
  now: number,
  userId: number,
): Promise<void> {
  await raiseNotice(
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
async function canSee(sql: Sql, task: TaskRow, userId: number): Promise<boolean> {
  if (task.boardId === null) return userId === task.ownerId;
  return (await findRole(sql, task.boardId, userId)) !== null;
}

function excerpt(text: string): string {
  const points = Array.from(text);
  return points.length <= EXCERPT_LENGTH
    ? text
    : `${points.slice(0, EXCERPT_LENGTH - 1).join("")}…`;
}

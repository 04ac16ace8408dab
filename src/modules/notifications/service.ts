import type { ActorContext, PublicContext } from "../../platform/context";
import type { Sql } from "../../platform/db/sql";
import { BadRequest, NotFound, ValidationFailed } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { hashOpaqueToken } from "../auth/opaque-tokens";
import { type NotificationView, presentNotification } from "./present";
import {
  countUnread,
  deleteNotification as deleteNotificationRow,
  markAllRead,
  markRead,
  type NotificationFilter,
  selectAllNotificationsOf,
  selectNotification,
  selectNotificationsOf,
  selectUnsubscribeUser,
  turnOffEmailNotifications,
} from "./rows";

const NOTIFICATION_NOT_FOUND = "Notification not found";
const BAD_UNSUBSCRIBE_TOKEN = "This unsubscribe link is invalid or has expired";

/** The caller's notifications, newest first, with how many are unread in all. */
export async function listNotifications(
  { deps, actor }: ActorContext,
  input: NotificationFilter & { limit?: number; offset?: number },
) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  // One read transaction: the page, its total and the unread count agree with each other.
  return await deps.sql.readTransaction(async () => {
    const { rows, total } = await selectNotificationsOf(
      deps.sql,
      actor.userId,
      input,
      limit,
      offset,
    );
    const unread = await countUnread(deps.sql, actor.userId);
    return { items: rows.map(presentNotification), total, limit, offset, unread };
  });
}

/** Marks a notification read; reading it again keeps the first time. */
export async function readNotification(
  { deps, actor }: ActorContext,
  id: number,
): Promise<NotificationView> {
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    if (!(await markRead(deps.sql, actor.userId, id, now)))
      throw new NotFound(NOTIFICATION_NOT_FOUND);
    const row = await selectNotification(deps.sql, actor.userId, id);
    if (!row) throw new NotFound(NOTIFICATION_NOT_FOUND);
    return presentNotification(row);
  });
}

export async function readAllNotifications({
  deps,
  actor,
}: ActorContext): Promise<{ updated: number }> {
  return { updated: await markAllRead(deps.sql, actor.userId, deps.clock.now()) };
}

export async function deleteNotification({ deps, actor }: ActorContext, id: number): Promise<void> {
  if (!(await deleteNotificationRow(deps.sql, actor.userId, id))) {
    throw new NotFound(NOTIFICATION_NOT_FOUND);
  }
}

/** Every notification of the user, for the data export. */
export async function exportNotificationsOf(
  deps: ActorContext["deps"],
  userId: number,
): Promise<NotificationView[]> {
  return (await selectAllNotificationsOf(deps.sql, userId)).map(presentNotification);
}

/** Who an unsubscribe link belongs to: what the confirmation page names. */
export async function findUnsubscriber(
  { deps }: PublicContext,
  token: string | undefined,
): Promise<{ username: string }> {
  return { username: (await mustFindUnsubscriber(deps.sql, token)).username };
}

/** Turns email notifications off for the user the link was sent to; doing it again is fine. */
export async function unsubscribe({ deps }: PublicContext, token: string | undefined) {
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    const user = await mustFindUnsubscriber(deps.sql, token);
    await turnOffEmailNotifications(deps.sql, user.id, now);
  });
  deps.log.info("email notifications turned off by an unsubscribe link");
  return {
    message: "Email notifications are off. Turn them back on in your account settings.",
    email_notifications: false,
  };
}

async function mustFindUnsubscriber(sql: Sql, token: string | undefined) {
  if (token === undefined) {
    throw new ValidationFailed("Invalid query parameter token: Required", [
      { path: "/token", message: "Required" },
    ]);
  }
  const user = await selectUnsubscribeUser(sql, hashOpaqueToken(token));
  if (!user) throw new BadRequest(BAD_UNSUBSCRIBE_TOKEN);
  return user;
}

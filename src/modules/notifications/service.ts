import type { Database } from "bun:sqlite";
import type { ActorContext, PublicContext } from "../../platform/context";
import { writeTransaction } from "../../platform/db/tx";
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
export function listNotifications(
  { deps, actor }: ActorContext,
  input: NotificationFilter & { limit?: number; offset?: number },
) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  // One read transaction: the page, its total and the unread count agree with each other.
  return deps.sqlite.transaction(() => {
    const { rows, total } = selectNotificationsOf(deps.sqlite, actor.userId, input, limit, offset);
    const unread = countUnread(deps.sqlite, actor.userId);
    return { items: rows.map(presentNotification), total, limit, offset, unread };
  })();
}

/** Marks a notification read; reading it again keeps the first time. */
export function readNotification({ deps, actor }: ActorContext, id: number): NotificationView {
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    if (!markRead(deps.sqlite, actor.userId, id, now)) throw new NotFound(NOTIFICATION_NOT_FOUND);
    const row = selectNotification(deps.sqlite, actor.userId, id);
    if (!row) throw new NotFound(NOTIFICATION_NOT_FOUND);
    return presentNotification(row);
  });
}

export function readAllNotifications({ deps, actor }: ActorContext): { updated: number } {
  return { updated: markAllRead(deps.sqlite, actor.userId, deps.clock.now()) };
}

export function deleteNotification({ deps, actor }: ActorContext, id: number): void {
  if (!deleteNotificationRow(deps.sqlite, actor.userId, id)) {
    throw new NotFound(NOTIFICATION_NOT_FOUND);
  }
}

/** Every notification of the user, for the data export. */
export function exportNotificationsOf(
  deps: ActorContext["deps"],
  userId: number,
): NotificationView[] {
  return selectAllNotificationsOf(deps.sqlite, userId).map(presentNotification);
}

/** Who an unsubscribe link belongs to: what the confirmation page names. */
export function findUnsubscriber(
  { deps }: PublicContext,
  token: string | undefined,
): { username: string } {
  return { username: mustFindUnsubscriber(deps.sqlite, token).username };
}

/** Turns email notifications off for the user the link was sent to; doing it again is fine. */
export function unsubscribe({ deps }: PublicContext, token: string | undefined) {
  const now = deps.clock.now();
  writeTransaction(deps.sqlite, () => {
    const user = mustFindUnsubscriber(deps.sqlite, token);
    turnOffEmailNotifications(deps.sqlite, user.id, now);
  });
  deps.log.info("email notifications turned off by an unsubscribe link");
  return {
    message: "Email notifications are off. Turn them back on in your account settings.",
    email_notifications: false,
  };
}

function mustFindUnsubscriber(sqlite: Database, token: string | undefined) {
  if (token === undefined) {
    throw new ValidationFailed("Invalid query parameter token: Required", [
      { path: "/token", message: "Required" },
    ]);
  }
  const user = selectUnsubscribeUser(sqlite, hashOpaqueToken(token));
  if (!user) throw new BadRequest(BAD_UNSUBSCRIBE_TOKEN);
  return user;
}

import { toIso } from "../../platform/clock";
import type { StoredNotification } from "./rows";

/** A notification as GET /notifications returns it, and as its `notification.created` event carries it. */
export function presentNotification(notification: StoredNotification) {
  return {
    id: notification.id,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    board_id: notification.board_id,
    task_id: notification.task_id,
    comment_id: notification.comment_id,
    actor:
      notification.actor_id === null
        ? null
        : { id: notification.actor_id, username: notification.actor_username ?? "" },
    read_at: toIso(notification.read_at),
    created_at: toIso(notification.created_at),
  };
}

export type NotificationView = ReturnType<typeof presentNotification>;

import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { PageQueryFields } from "../../platform/http/pagination";
import {
  component,
  IsoTimestamp,
  NullableIsoTimestamp,
  Strict,
  Text,
} from "../../platform/http/schemas";

const NullableId = t.Union([Type.Integer(), t.Null()]);

export const NotificationResponse = component(
  "Notification",
  t.Object(
    {
      id: Type.Integer(),
      // The literals of NOTIFICATION_TYPES (tables/notifications.ts), spelled out for TypeScript.
      type: t.Union(
        [
          t.Literal("task_assigned"),
          t.Literal("task_due"),
          t.Literal("task_comment"),
          t.Literal("comment_mention"),
          t.Literal("board_member_added"),
          t.Literal("password_changed"),
        ],
        {
          description:
            "task_assigned: someone assigned a task to you. task_due: a task you own or are assigned is due within 24 hours (once per due date). task_comment: someone commented on a task you own or are assigned. comment_mention: a comment names you as @username. board_member_added: someone added you to a board. password_changed: your password was changed.",
        },
      ),
      title: t.String({ description: "One line saying what happened, written when it happened" }),
      body: t.Union([t.String(), t.Null()], {
        description: "More detail: the comment's text (shortened), or the due date",
      }),
      board_id: t.Union([Type.Integer(), t.Null()], {
        description:
          "The board of the task (where it is now) or the board itself; null for personal tasks and account notices",
      }),
      task_id: NullableId,
      comment_id: NullableId,
      actor: t.Union([t.Object({ id: Type.Integer(), username: t.String() }), t.Null()], {
        description: "Who caused it; null for reminders, account notices, or a deleted account",
      }),
      read_at: NullableIsoTimestamp,
      created_at: IsoTimestamp,
    },
    {
      description:
        "Kept until deleted; it goes with the task, comment or board it is about. A new one is also pushed as a `notification.created` event, and emailed when the user has email notifications on.",
    },
  ),
);

export const ListNotificationsQuery = t.Object(
  {
    ...PageQueryFields,
    unread: t.Optional(
      t.Boolean({
        error: "Must be true or false",
        description: "true: unread only; false: read only; left out: all",
      }),
    ),
  },
  Strict,
);

export const ReadAllResponse = component(
  "ReadAllResult",
  t.Object({ updated: Type.Integer({ description: "How many notifications were unread" }) }),
);

/**
 * `token` is required, but checked by the service: Elysia checks the query before the body, and
 * a body's own faults (unknown fields) should be reported whether or not the token came along.
 */
export const UnsubscribeQuery = t.Object(
  {
    token: t.Optional(
      Text({
        minLength: 1,
        maxLength: 256,
        description: "The token of the unsubscribe link in a notification email (required)",
      }),
    ),
  },
  Strict,
);

/**
 * RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` as a form. The
 * token in the query is what counts; the form is accepted and not required.
 */
export const OneClickBody = t.Optional(
  component(
    "OneClickUnsubscribeBody",
    t.Object(
      { "List-Unsubscribe": t.Optional(Text({ maxLength: 64 })) },
      { ...Strict, description: "RFC 8058: List-Unsubscribe=One-Click, as a form" },
    ),
  ),
);

export const UnsubscribeResponse = component(
  "UnsubscribeResult",
  t.Object({
    message: t.String(),
    email_notifications: t.Boolean({ description: "Always false after this call" }),
  }),
);

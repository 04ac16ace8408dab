import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { DEFAULT_PAGE_LIMIT, setPageHeaders } from "../../platform/http/pagination";
import { createRouter } from "../../platform/http/router";
import { IdParam, problemResponses, withResponseHeaders } from "../../platform/http/schemas";
import { UNSUBSCRIBE_PATH } from "./email";
import {
  ListNotificationsQuery,
  NotificationResponse,
  OneClickBody,
  ReadAllResponse,
  UnsubscribeQuery,
  UnsubscribeResponse,
} from "./schema";
import {
  deleteNotification,
  findUnsubscriber,
  listNotifications,
  readAllNotifications,
  readNotification,
  unsubscribe,
} from "./service";
import { unsubscribePage } from "./unsubscribe-page";

export function notificationRoutes(deps: Deps) {
  return createRouter("/notifications", "Notifications")
    .use(authGuard(deps))
    .get(
      "",
      async ({ actor, query, set, request }) => {
        const page = await listNotifications({ deps, actor }, query);
        setPageHeaders(set, request.url, page);
        set.headers["x-unread-count"] = String(page.unread);
        return page.items;
      },
      {
        auth: true,
        query: ListNotificationsQuery,
        detail: {
          summary: "Your notifications, newest first",
          description: `Paginated with limit (default ${DEFAULT_PAGE_LIMIT}) and offset; the total is in X-Total-Count and the pages in an RFC 8288 Link header. X-Unread-Count holds how many of all your notifications are unread, whatever the filter.`,
        },
        response: {
          200: withResponseHeaders(
            t.Array(NotificationResponse),
            "X-Total-Count",
            "Link",
            "X-Unread-Count",
          ),
          ...problemResponses(401, 422),
        },
      },
    )
    .post("/read-all", async ({ actor }) => await readAllNotifications({ deps, actor }), {
      auth: true,
      detail: {
        summary: "Mark all of your notifications read",
        description: "Answers with how many were unread; calling it again answers 0.",
      },
      response: { 200: ReadAllResponse, ...problemResponses(401) },
    })
    .post(
      "/:id/read",
      async ({ actor, params }) => await readNotification({ deps, actor }, params.id),
      {
        auth: true,
        params: IdParam,
        detail: {
          summary: "Mark a notification read",
          description:
            "Idempotent: reading it again keeps the first read_at. Another user's is 404.",
        },
        response: { 200: NotificationResponse, ...problemResponses(401, 404) },
      },
    )
    .delete(
      "/:id",
      async ({ actor, params, set }) => {
        await deleteNotification({ deps, actor }, params.id);
        set.status = 204;
      },
      {
        auth: true,
        params: IdParam,
        detail: { summary: "Delete a notification", description: "Another user's is 404." },
        response: { 204: t.Void(), ...problemResponses(401, 404) },
      },
    )
    .get(
      "/unsubscribe",
      async ({ query, set }) => {
        const { username } = await findUnsubscriber({ deps }, query.token);
        set.headers["content-type"] = "text/html; charset=utf-8";
        set.headers["cache-control"] = "no-store";
        return unsubscribePage(
          `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(query.token ?? "")}`,
          username,
        );
      },
      {
        query: UnsubscribeQuery,
        detail: {
          summary: "The page behind the unsubscribe link of a notification email",
          description:
            "No sign-in: the token is the credential. Changes nothing (mail scanners follow links); the page's button sends the POST.",
        },
        response: {
          200: t.String({ description: "A small HTML page (text/html) with one button" }),
          ...problemResponses(400, 422),
        },
      },
    )
    .post(
      "/unsubscribe",
      async ({ query, set }) => {
        set.headers["cache-control"] = "no-store";
        return await unsubscribe({ deps }, query.token);
      },
      {
        query: UnsubscribeQuery,
        body: OneClickBody,
        detail: {
          summary: "Turn email notifications off with the token of an emailed link",
          description:
            "RFC 8058 one-click unsubscribe: no sign-in, the token is the credential. Mail clients send `List-Unsubscribe=One-Click` as a form; the body may also be left out. Idempotent. An unknown or expired token is 400.",
        },
        response: { 200: UnsubscribeResponse, ...problemResponses(400, 415, 422) },
      },
    );
}

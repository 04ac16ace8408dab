import { cors } from "@elysiajs/cors";
import { type AnyElysia, Elysia } from "elysia";
import type { Deps } from "./deps";
import { adminRoutes } from "./modules/admin/routes";
import { authRoutes } from "./modules/auth/routes";
import { authThrottle } from "./modules/auth/throttle";
import { listRoutes } from "./modules/boards/list-routes";
import { boardRoutes } from "./modules/boards/routes";
import { commentRoutes } from "./modules/comments/routes";
import { jobRoutes } from "./modules/jobs/routes";
import { notificationRoutes } from "./modules/notifications/routes";
import { realtimeRoutes } from "./modules/realtime/routes";
import { WEBSOCKET_OPTIONS } from "./modules/realtime/socket";
import { searchRoutes } from "./modules/search/routes";
import { taskRoutes } from "./modules/tasks/routes";
import { userRoutes } from "./modules/users/routes";
import { healthRoutes } from "./platform/health";
import { accessLog } from "./platform/http/access-log";
import { errorHandler } from "./platform/http/error-handler";
import { metricsPlugin } from "./platform/http/metrics";
import { openapiDocs } from "./platform/http/openapi";
import { globalRateLimit } from "./platform/http/rate-limit";
import { bodyGuard, requestContext } from "./platform/http/request-context";
import { webApp } from "./platform/http/web-app";

/**
 * The whole HTTP application. Building it does no I/O; tests drive it with app.handle().
 *
 * Routes match their path exactly (`strictPath`, which Elysia applies from this root to every
 * route it is given): by default `/tasks/` also reaches `/tasks`, so `DELETE /api/v1/tasks/` (a
 * client's URL for an empty id) deleted every task. A trailing slash is 404 for every method, GET
 * included, rather than a redirect: one rule, and no URL answers under two names. The docs page
 * is the one exception (see docsPageWithSlash).
 */
export function createApp(deps: Deps) {
  const { config } = deps;
  return (
    new Elysia({ normalize: false, strictPath: true, websocket: WEBSOCKET_OPTIONS })
      .use(requestContext())
      .use(errorHandler(deps.log))
      .use(accessLog(deps.log))
      .use(metricsPlugin(deps.metrics))
      .use(corsPolicy(config.corsOrigins))
      // After CORS, so a browser can read the 403/429 these answer with.
      .use(authThrottle(deps))
      .use(globalRateLimit(deps))
      .use(bodyGuard(config))
      .use(openapiDocs())
      .use(docsPageWithSlash)
      .use(healthRoutes(deps))
      .use(webApp(deps.web))
      .group("/api/v1", (api) =>
        api
          .use(authRoutes(deps))
          .use(userRoutes(deps))
          .use(taskRoutes(deps))
          .use(boardRoutes(deps))
          .use(listRoutes(deps))
          .use(commentRoutes(deps))
          .use(searchRoutes(deps))
          .use(realtimeRoutes(deps, deps.realtime))
          .use(notificationRoutes(deps))
          .use(adminRoutes(deps))
          .use(jobRoutes(deps)),
      )
  );
}

const DOCS_PAGE = "/docs";

/** People type `/docs/` by hand: it serves the same page as `/docs`. */
function docsPageWithSlash<App extends AnyElysia>(app: App): App {
  const alias = `${DOCS_PAGE}/`;
  const isGet = (path: string) => (route: { method: string; path: string }) =>
    route.method === "GET" && route.path === path;
  const page = app.routes.find(isGet(DOCS_PAGE));
  if (!page || app.routes.some(isGet(alias))) return app;
  // The plugin's page is one Response, rendered once. Elysia takes a static Response's body when
  // it first serves it, so the alias is given a copy of its own, made before any request.
  const handler: unknown = page.handler;
  const serve = handler instanceof Response ? handler.clone() : handler;
  return app.get(alias, serve as Response, { detail: { hide: true } }) as App;
}

/** No CORS_ORIGINS means no cross-origin browser access at all, and no CORS headers. */
function corsPolicy(origins: readonly string[]) {
  if (origins.length === 0) return new Elysia();
  return cors({
    origin: origins.includes("*") ? true : [...origins],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: [
      "authorization",
      "content-type",
      "if-match",
      "if-none-match",
      "idempotency-key",
      "x-request-id",
    ],
    exposeHeaders: [
      "etag",
      "location",
      "link",
      "x-total-count",
      "x-unread-count",
      "x-request-id",
      "retry-after",
      "ratelimit-limit",
      "ratelimit-remaining",
      "ratelimit-reset",
    ],
    credentials: false,
    maxAge: 600,
  });
}

export type App = ReturnType<typeof createApp>;

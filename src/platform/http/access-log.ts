import { Elysia } from "elysia";
import type { Logger } from "../logging";
import { pathOf, requestState } from "./request-context";

/**
 * One line per request. It names the route path only: query strings can carry secrets (the
 * WebSocket's access_token), and bodies and headers are never logged.
 */
export function accessLog(log: Logger) {
  return new Elysia().onAfterResponse({ as: "global" }, ({ request, set }) => {
    const state = requestState(request);
    log.info("request", {
      request_id: state.id,
      method: request.method,
      path: pathOf(request.url),
      status: typeof set.status === "number" ? set.status : 200,
      duration_ms: Math.round((performance.now() - state.startedAt) * 100) / 100,
      user_id: state.userId ?? null,
    });
  });
}

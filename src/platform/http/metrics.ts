import { Elysia, t } from "elysia";
import type { Metrics } from "../metrics";
import { requestState } from "./request-context";

// Unmatched paths share one label: raw paths would let any client grow the series without bound.
const UNMATCHED = "unmatched";

/** Counts and times every request by route template (never raw ids), and serves GET /metrics. */
export function metricsPlugin(metrics: Metrics) {
  return new Elysia()
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const status = typeof set.status === "number" ? set.status : 200;
      const seconds = (performance.now() - requestState(request).startedAt) / 1000;
      metrics.observeRequest(request.method, route || UNMATCHED, status, seconds);
    })
    .get(
      "/metrics",
      async () =>
        new Response(await metrics.registry.metrics(), {
          headers: { "content-type": metrics.registry.contentType },
        }),
      {
        detail: { tags: ["Operations"], summary: "Prometheus metrics" },
        // Documents the text body; the handler's own Response is sent as it is, unvalidated.
        response: { 200: t.String({ description: "Prometheus text exposition format" }) },
      },
    );
}

import { Elysia, t } from "elysia";
import type { Deps } from "../deps";
import { VERSION } from "../version";
import { ServiceUnavailable } from "./errors";
import { component, problemResponses } from "./http/schemas";

const HealthResponse = component(
  "Health",
  t.Object({ status: t.Literal("ok"), version: t.String({ description: "Server version" }) }),
);
const ReadyResponse = component("Ready", t.Object({ status: t.Literal("ready") }));

export function healthRoutes(deps: Deps) {
  return new Elysia({ detail: { tags: ["Operations"] } })
    .get("/health", () => ({ status: "ok" as const, version: VERSION }), {
      detail: { summary: "Liveness: the process answers" },
      response: { 200: HealthResponse },
    })
    .get(
      "/ready",
      async () => {
        try {
          await deps.sql.get("SELECT 1");
        } catch {
          throw new ServiceUnavailable("The database does not answer");
        }
        return { status: "ready" as const };
      },
      {
        detail: { summary: "Readiness: the database answers (503 when it does not)" },
        response: { 200: ReadyResponse, ...problemResponses(503) },
      },
    );
}

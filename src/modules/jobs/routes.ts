import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { DEFAULT_PAGE_LIMIT, setPageHeaders } from "../../platform/http/pagination";
import { createRouter } from "../../platform/http/router";
import { problemResponses, withResponseHeaders } from "../../platform/http/schemas";
import { JobResponse, ListJobsQuery } from "./schema";
import { listJobs } from "./service";

/** Background jobs, for admins: mostly to find emails that could not be sent. */
export function jobRoutes(deps: Deps) {
  return createRouter("/admin/jobs", "Admin")
    .use(authGuard(deps))
    .get(
      "",
      async ({ actor, query, request, set }) => {
        const page = await listJobs({ deps, actor }, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: "admin",
        query: ListJobsQuery,
        detail: {
          summary: "List background jobs, e.g. ?status=failed",
          description: `Newest first. Paginated with limit (default ${DEFAULT_PAGE_LIMIT}, at most 200) and offset; the total is in X-Total-Count and the pages in an RFC 8288 Link header. A job fails for good after max_attempts tries with growing delays; last_error says why.`,
        },
        response: {
          200: withResponseHeaders(t.Array(JobResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 403, 422),
        },
      },
    );
}

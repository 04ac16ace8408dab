import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { DEFAULT_PAGE_LIMIT, setPageHeaders } from "../../platform/http/pagination";
import { createRouter } from "../../platform/http/router";
import { IdParam, problemResponses, Text, withResponseHeaders } from "../../platform/http/schemas";
import { matchesNoneOf } from "../../platform/preconditions";
import { IdempotencyKeyHeader } from "../idempotency/schema";
import { runIdempotent } from "../idempotency/service";
import { listTasks } from "./list";
import { etagOf } from "./present";
import {
  CreateTaskBody,
  DeletedCount,
  ListTasksQuery,
  TaskResponse,
  UpdateTaskBody,
} from "./schema";
import { createTask, deleteAllPersonalTasks, deleteTask, getTask, updateTask } from "./service";

const IfMatchHeaders = t.Object({
  "if-match": t.Optional(Text({ maxLength: 1024, description: "ETag from an earlier read" })),
});

export function taskRoutes(deps: Deps) {
  const update = {
    auth: true,
    params: IdParam,
    body: UpdateTaskBody,
    headers: IfMatchHeaders,
    response: {
      200: withResponseHeaders(TaskResponse, "ETag"),
      ...problemResponses(401, 404, 412, 422),
    },
  } as const;
  const applyUpdate = async ({
    actor,
    params,
    body,
    headers,
    set,
  }: {
    actor: Parameters<typeof updateTask>[0]["actor"];
    params: { id: number };
    body: Parameters<typeof updateTask>[2];
    headers: { "if-match"?: string };
    set: { headers: Record<string, string | number> };
  }) => {
    const task = await updateTask({ deps, actor }, params.id, body, {
      ifMatch: headers["if-match"],
    });
    set.headers.etag = etagOf(task);
    return task;
  };

  return createRouter("/tasks", "Tasks")
    .use(authGuard(deps))
    .post(
      "",
      async ({ actor, body, headers, set, request }) => {
        const create = async () => {
          const task = await createTask({ deps, actor }, body);
          set.status = 201;
          set.headers.location = `${new URL(request.url).pathname}/${task.id}`;
          set.headers.etag = etagOf(task);
          return task;
        };
        const key = headers["idempotency-key"];
        if (key === undefined) return await create();
        const call = { key, method: "POST", path: "/api/v1/tasks", body };
        return runIdempotent({ deps, actor }, call, set, create);
      },
      {
        auth: true,
        body: CreateTaskBody,
        headers: IdempotencyKeyHeader,
        detail: {
          summary: "Create a task",
          description:
            "Send an Idempotency-Key to retry safely: the same key and body within 24 h replays the first response; the same key with another body is 422; while the first is still running, 409.",
        },
        response: {
          201: withResponseHeaders(TaskResponse, "ETag", "Location"),
          ...problemResponses(401, 409, 415, 422),
        },
      },
    )
    .get(
      "",
      async ({ actor, query, set, request }) => {
        const page = await listTasks({ deps, actor }, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: true,
        query: ListTasksQuery,
        detail: {
          summary: "List the tasks you can see",
          description: `Paginated with limit (default ${DEFAULT_PAGE_LIMIT}) and offset; the total is in X-Total-Count and the pages in an RFC 8288 Link header.`,
        },
        response: {
          200: withResponseHeaders(t.Array(TaskResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 422),
        },
      },
    )
    .delete("", async ({ actor }) => await deleteAllPersonalTasks({ deps, actor }), {
      auth: true,
      detail: { summary: "Delete all of your personal tasks (cards on shared boards stay)" },
      response: { 200: DeletedCount, ...problemResponses(401) },
    })
    .get(
      "/:id",
      async ({ actor, params, headers, set }) => {
        const task = await getTask({ deps, actor }, params.id);
        const etag = etagOf(task);
        set.headers.etag = etag;
        if (matchesNoneOf(headers["if-none-match"], etag)) {
          set.status = 304;
          return undefined;
        }
        return task;
      },
      {
        auth: true,
        params: IdParam,
        headers: t.Object({
          "if-none-match": t.Optional(
            Text({ maxLength: 1024, description: "ETags from earlier reads, or *" }),
          ),
        }),
        detail: { summary: "One task (304 when If-None-Match still matches)" },
        response: {
          200: withResponseHeaders(TaskResponse, "ETag"),
          304: withResponseHeaders(t.Void(), "ETag"),
          ...problemResponses(401, 404),
        },
      },
    )
    .put("/:id", applyUpdate, {
      ...update,
      detail: { summary: "Update a task (partial, like PATCH)" },
    })
    .patch("/:id", applyUpdate, { ...update, detail: { summary: "Update some fields of a task" } })
    .delete(
      "/:id",
      async ({ actor, params, headers, set }) => {
        await deleteTask({ deps, actor }, params.id, { ifMatch: headers["if-match"] });
        set.status = 204;
      },
      {
        auth: true,
        params: IdParam,
        headers: IfMatchHeaders,
        detail: { summary: "Delete a task" },
        response: { 204: t.Void(), ...problemResponses(401, 404, 412) },
      },
    );
}

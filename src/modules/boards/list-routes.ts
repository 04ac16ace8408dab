import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { createRouter } from "../../platform/http/router";
import { IdParam, problemResponses } from "../../platform/http/schemas";
import { deleteList, getList, updateList } from "./lists";
import { DeleteListQuery, ListResponse, UpdateListBody } from "./schema";

export function listRoutes(deps: Deps) {
  return createRouter("/lists", "Boards")
    .use(authGuard(deps))
    .get("/:id", async ({ actor, params }) => await getList({ deps, actor }, params.id), {
      auth: true,
      params: IdParam,
      detail: { summary: "One list (its cards are in GET /boards/{id} or GET /tasks?list_id=)" },
      response: { 200: ListResponse, ...problemResponses(401, 404) },
    })
    .patch(
      "/:id",
      async ({ actor, params, body }) => await updateList({ deps, actor }, params.id, body),
      {
        auth: true,
        params: IdParam,
        body: UpdateListBody,
        detail: {
          summary: "Rename a list or move it to another index on its board (editor)",
          description: "The lists in between move along; positions stay 0-based and dense.",
        },
        response: { 200: ListResponse, ...problemResponses(401, 403, 404, 422) },
      },
    )
    .delete(
      "/:id",
      async ({ actor, params, query, set }) => {
        await deleteList({ deps, actor }, params.id, query);
        set.status = 204;
      },
      {
        auth: true,
        params: IdParam,
        query: DeleteListQuery,
        detail: {
          summary: "Delete a list (editor)",
          description:
            "A list that still holds cards is 409 unless `cascade=true`, which deletes its cards too.",
        },
        response: { 204: t.Void(), ...problemResponses(401, 403, 404, 409, 422) },
      },
    );
}

import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { PageQueryFields, setPageHeaders } from "../../platform/http/pagination";
import { createRouter } from "../../platform/http/router";
import {
  IdParam,
  problemResponses,
  Strict,
  withResponseHeaders,
} from "../../platform/http/schemas";
import { CommentBody, CommentResponse } from "./schema";
import { createComment, deleteComment, getComment, listComments, updateComment } from "./service";

const PageQuery = t.Object(PageQueryFields, Strict);

export function commentRoutes(deps: Deps) {
  return createRouter("", "Comments")
    .use(authGuard(deps))
    .get(
      "/tasks/:id/comments",
      async ({ actor, params, query, set, request }) => {
        const page = await listComments({ deps, actor }, params.id, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: true,
        params: IdParam,
        query: PageQuery,
        detail: { summary: "A task's comments, oldest first" },
        response: {
          200: withResponseHeaders(t.Array(CommentResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 404, 422),
        },
      },
    )
    .post(
      "/tasks/:id/comments",
      async ({ actor, params, body, set }) => {
        const comment = await createComment({ deps, actor }, params.id, body);
        set.status = 201;
        set.headers.location = `/api/v1/comments/${comment.id}`;
        return comment;
      },
      {
        auth: true,
        params: IdParam,
        body: CommentBody,
        detail: {
          summary: "Comment on a task (board editors and owner; a personal task's owner)",
        },
        response: {
          201: withResponseHeaders(CommentResponse, "Location"),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    )
    .get(
      "/comments/:id",
      async ({ actor, params }) => await getComment({ deps, actor }, params.id),
      {
        auth: true,
        params: IdParam,
        detail: { summary: "One comment" },
        response: { 200: CommentResponse, ...problemResponses(401, 404) },
      },
    )
    .patch(
      "/comments/:id",
      async ({ actor, params, body }) => await updateComment({ deps, actor }, params.id, body),
      {
        auth: true,
        params: IdParam,
        body: CommentBody,
        detail: { summary: "Edit your comment (sets edited_at)" },
        response: { 200: CommentResponse, ...problemResponses(401, 403, 404, 422) },
      },
    )
    .delete(
      "/comments/:id",
      async ({ actor, params, set }) => {
        await deleteComment({ deps, actor }, params.id);
        set.status = 204;
      },
      {
        auth: true,
        params: IdParam,
        detail: { summary: "Delete a comment (its author, or the board's owner)" },
        response: { 204: t.Void(), ...problemResponses(401, 403, 404) },
      },
    );
}

import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { createRouter } from "../../platform/http/router";
import {
  component,
  problemResponses,
  Strict,
  Text,
  WholeNumber,
} from "../../platform/http/schemas";
import { BoardResponse } from "../boards/schema";
import { CommentResponse } from "../comments/schema";
import { TaskResponse } from "../tasks/schema";
import { DEFAULT_SEARCH_LIMIT, searchEverything } from "./service";

const SearchQuery = t.Object(
  {
    q: Text({ minLength: 1, maxLength: 1000, description: "Words to find (each as a prefix)" }),
    limit: t.Optional(
      WholeNumber({
        minimum: 1,
        maximum: 50,
        description: `Results of each kind (default ${DEFAULT_SEARCH_LIMIT})`,
      }),
    ),
  },
  Strict,
);

const SearchResults = component(
  "SearchResults",
  t.Object({
    tasks: t.Array(TaskResponse),
    boards: t.Array(BoardResponse),
    comments: t.Array(CommentResponse),
  }),
);

export function searchRoutes(deps: Deps) {
  return createRouter("/search", "Search")
    .use(authGuard(deps))
    .get("", async ({ actor, query }) => await searchEverything({ deps, actor }, query), {
      auth: true,
      query: SearchQuery,
      detail: {
        summary: "Search your tasks, cards, boards and comments",
        description:
          "Each kind is ranked best match first (FTS5 bm25) and limited separately; only what you can see is searched.",
      },
      response: { 200: SearchResults, ...problemResponses(401, 422) },
    });
}

import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { createRouter } from "../../platform/http/router";
import { problemResponses } from "../../platform/http/schemas";
import { UserResponse } from "./schema";
import { getCurrentUser } from "./service";

export function userRoutes(deps: Deps) {
  return createRouter("/users", "Users")
    .use(authGuard(deps))
    .get("/me", ({ actor }) => getCurrentUser({ deps, actor }), {
      auth: true,
      detail: { summary: "The signed-in user" },
      response: { 200: UserResponse, ...problemResponses(401) },
    });
}

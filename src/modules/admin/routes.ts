import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { DEFAULT_PAGE_LIMIT, setPageHeaders } from "../../platform/http/pagination";
import { createRouter } from "../../platform/http/router";
import {
  HasherBusyProblem,
  IdParam,
  problemResponses,
  withResponseHeaders,
} from "../../platform/http/schemas";
import {
  AdminUserResponse,
  BanResponse,
  CreateUserBody,
  ListBansQuery,
  ListUsersQuery,
  UpdateUserBody,
} from "./schema";
import {
  createUser,
  deleteUser,
  getUser,
  liftBan,
  listBans,
  listUsers,
  updateUser,
} from "./service";

const PAGINATION = `Paginated with limit (default ${DEFAULT_PAGE_LIMIT}, at most 200) and offset; the total is in X-Total-Count and the pages in an RFC 8288 Link header.`;

/** User and ban management. Every route needs at least the admin role (403 otherwise). */
export function adminRoutes(deps: Deps) {
  return createRouter("/admin", "Admin")
    .use(authGuard(deps))
    .get(
      "/users",
      async ({ actor, query, request, set }) => {
        const page = await listUsers({ deps, actor }, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: "admin",
        query: ListUsersQuery,
        detail: { summary: "List or search users", description: PAGINATION },
        response: {
          200: withResponseHeaders(t.Array(AdminUserResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 403, 422),
        },
      },
    )
    .post(
      "/users",
      async ({ actor, body, request, set }) => {
        const user = await createUser({ deps, actor }, body);
        set.status = 201;
        set.headers.location = `${new URL(request.url).pathname}/${user.id}`;
        return user;
      },
      {
        auth: "admin",
        body: CreateUserBody,
        detail: {
          summary: "Create an account",
          description:
            "The way in when public sign-up is closed (ALLOW_SIGNUP=false). Validated as sign-up is; a duplicate username or email answers 400 as sign-up does. Only a superadmin creates admins and superadmins (403).",
        },
        response: {
          201: withResponseHeaders(AdminUserResponse, "Location"),
          ...problemResponses(400, 401, 403, 415, 422),
          503: HasherBusyProblem,
        },
      },
    )
    .get("/users/:id", async ({ actor, params }) => await getUser({ deps, actor }, params.id), {
      auth: "admin",
      params: IdParam,
      detail: { summary: "One user" },
      response: { 200: AdminUserResponse, ...problemResponses(401, 403, 404, 422) },
    })
    .patch(
      "/users/:id",
      async ({ actor, params, body }) => await updateUser({ deps, actor }, params.id, body),
      {
        auth: "admin",
        params: IdParam,
        body: UpdateUserBody,
        detail: {
          summary: "Change a user's role or deactivate them",
          description:
            "Deactivating ends the user's sessions at once. Admins may change plain users' is_active only; role changes and changes to admins need a superadmin. The last active superadmin cannot be demoted or deactivated (409).",
        },
        response: {
          200: AdminUserResponse,
          ...problemResponses(401, 403, 404, 409, 415, 422),
        },
      },
    )
    .delete(
      "/users/:id",
      async ({ actor, params, set }) => {
        await deleteUser({ deps, actor }, params.id);
        set.status = 204;
      },
      {
        auth: "admin",
        params: IdParam,
        detail: {
          summary: "Delete a user and everything they own",
          description:
            "Admins may delete plain users only. The last active superadmin cannot be deleted (409).",
        },
        response: { 204: t.Void(), ...problemResponses(401, 403, 404, 409, 422) },
      },
    )
    .get(
      "/bans",
      async ({ actor, query, request, set }) => {
        const page = await listBans({ deps, actor }, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: "admin",
        query: ListBansQuery,
        detail: { summary: "List active bans of client addresses", description: PAGINATION },
        response: {
          200: withResponseHeaders(t.Array(BanResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 403, 422),
        },
      },
    )
    .delete(
      "/bans/:id",
      async ({ actor, params, set }) => {
        await liftBan({ deps, actor }, params.id);
        set.status = 204;
      },
      {
        auth: "admin",
        params: IdParam,
        detail: { summary: "Lift a ban" },
        response: { 204: t.Void(), ...problemResponses(401, 403, 404, 422) },
      },
    );
}

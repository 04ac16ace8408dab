import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { createRouter } from "../../platform/http/router";
import { HasherBusyProblem, problemResponses } from "../../platform/http/schemas";
import { exportCurrentUser } from "./export";
import {
  ChangePasswordBody,
  DeleteMeBody,
  ExportResponse,
  UpdateMeBody,
  UserResponse,
} from "./schema";
import { changePassword, deleteCurrentUser, getCurrentUser, updateCurrentUser } from "./service";

export function userRoutes(deps: Deps) {
  return createRouter("/users", "Users")
    .use(authGuard(deps))
    .get("/me", async ({ actor }) => await getCurrentUser({ deps, actor }), {
      auth: true,
      detail: { summary: "The signed-in user" },
      response: { 200: UserResponse, ...problemResponses(401) },
    })
    .patch("/me", async ({ actor, body }) => await updateCurrentUser({ deps, actor }, body), {
      auth: true,
      body: UpdateMeBody,
      detail: {
        summary: "Update your profile",
        description:
          "Changing `email` needs `current_password` in the same body (422 without it, 400 when it is wrong), because password reset codes go to that address. A changed email address is stored lower-cased, marked unverified, and sent a verification code; the old address gets a notice of the change. A username or email already in use gives 400.",
      },
      response: {
        200: UserResponse,
        ...problemResponses(400, 401, 415, 422),
        503: HasherBusyProblem,
      },
    })
    .post(
      "/me/password",
      async ({ actor, body, set }) => {
        await changePassword({ deps, actor }, body);
        set.status = 204;
      },
      {
        auth: true,
        body: ChangePasswordBody,
        detail: {
          summary: "Change your password",
          description:
            "Every other session ends; this one stays signed in. A notice is emailed to you.",
        },
        response: {
          204: t.Void(),
          ...problemResponses(400, 401, 415, 422),
          503: HasherBusyProblem,
        },
      },
    )
    .delete(
      "/me",
      async ({ actor, body, set }) => {
        await deleteCurrentUser({ deps, actor }, body);
        set.status = 204;
      },
      {
        auth: true,
        body: DeleteMeBody,
        detail: {
          summary: "Delete your account and everything it owns",
          description:
            "Asks for your password. The last active superadmin cannot delete their account (409).",
        },
        response: {
          204: t.Void(),
          ...problemResponses(400, 401, 409, 415, 422),
          503: HasherBusyProblem,
        },
      },
    )
    .get(
      "/me/export",
      async ({ actor, set }) => {
        const document = await exportCurrentUser({ deps, actor });
        // Usernames are limited to [A-Za-z0-9_.-], so the name needs no quoting or encoding.
        set.headers["content-disposition"] =
          `attachment; filename="kanbun-export-${document.profile.username}.json"`;
        set.headers["cache-control"] = "no-store";
        return document;
      },
      {
        auth: true,
        detail: {
          summary: "Download all of your data as one JSON document",
          description:
            "Profile, tasks with their tags, boards, comments, sessions and notifications; no password or token hashes.",
        },
        response: { 200: ExportResponse, ...problemResponses(401) },
      },
    );
}

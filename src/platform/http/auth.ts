import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import type { Role } from "../db/tables";
import { Forbidden, Unauthenticated } from "../errors";
import type { AccessClaims } from "../tokens";
import { requestState } from "./request-context";

export interface Actor {
  userId: number;
  sessionId: number;
  role: Role;
}

const ROLE_RANK: Record<Role, number> = { user: 0, admin: 1, superadmin: 2 };

export function hasRole(actor: Actor, role: Role): boolean {
  return ROLE_RANK[actor.role] >= ROLE_RANK[role];
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i;

// How stale a session's last_used_at may get before a request refreshes it: one write a minute
// per session instead of one per request.
const LAST_USED_RESOLUTION_MS = 60_000;

/** The live session and active user behind an access token, or null. */
export async function findActor(deps: Deps, claims: AccessClaims): Promise<Actor | null> {
  const now = deps.clock.now();
  const row = await deps.sql.get<{ role: Role; last_used_at: number }>(
    `SELECT u.role, s.last_used_at FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.is_active = 1`,
    [claims.sessionId, claims.userId, now],
  );
  if (!row) return null;
  if (now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
    await deps.sql.run("UPDATE sessions SET last_used_at = ? WHERE id = ?", [
      now,
      claims.sessionId,
    ]);
  }
  return { userId: claims.userId, sessionId: claims.sessionId, role: row.role };
}

const actors = new WeakMap<Request, Actor>();

/**
 * The `auth` route option: `{ auth: true }` requires a signed-in user, `{ auth: 'admin' }` a
 * role at least that high. The token's session is looked up on every request, so a logged-out,
 * revoked or deactivated session stops working at once.
 */
export function authGuard(deps: Deps) {
  return new Elysia().macro({
    auth: (required: true | Role) => ({
      detail: { security: [{ bearer: [] }, { oauth2: [] }] },
      // Authenticate in `transform`, which runs before validation: an anonymous caller gets 401,
      // never a 422 that describes the route's schema. `resolve` (after validation) hands it on.
      async transform({ request }) {
        const match = BEARER.exec(request.headers.get("authorization") ?? "");
        if (!match?.[1]) throw new Unauthenticated("Missing or malformed bearer token");
        const claims = await deps.tokens.verifyAccess(match[1]);
        const actor = claims && (await findActor(deps, claims));
        if (!actor) throw new Unauthenticated("Invalid or expired access token");
        requestState(request).userId = actor.userId;
        if (required !== true && !hasRole(actor, required)) {
          throw new Forbidden("Your role does not allow this");
        }
        actors.set(request, actor);
      },
      resolve({ request }) {
        const actor = actors.get(request);
        if (!actor) throw new Unauthenticated();
        return { actor };
      },
    }),
  });
}

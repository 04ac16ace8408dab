import { and, count, eq, gt, lte } from "drizzle-orm";
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { authFailures, bans } from "../../platform/db/tables";
import { AppError } from "../../platform/errors";
import {
  createWindowCounter,
  enforceWindow,
  RATE_LIMIT_WINDOW_MS,
} from "../../platform/http/rate-limit";
import { clientIp, pathOf } from "../../platform/http/request-context";

const AUTH_PREFIX = "/api/v1/auth/";

/** Routes that take credentials or codes: each attempt counts, per address and per account. */
export const THROTTLED_ROUTES: ReadonlySet<string> = new Set(
  ["login", "signup", "token", "forgot-password", "verify-otp", "verify-email"].map(
    (name) => `${AUTH_PREFIX}${name}`,
  ),
);

/**
 * Routes where a 400 or 401 means a wrong password or code. Signup's 400 (name taken) and any
 * 422 (malformed body) are not guesses; they are held back by the rate limits alone.
 */
export const FAILURE_ROUTES: ReadonlySet<string> = new Set(
  ["login", "token", "verify-otp", "verify-email"].map((name) => `${AUTH_PREFIX}${name}`),
);

export const FAILURE_WINDOW_MS = 10 * 60_000;
export const BAN_DURATION_MS = 15 * 60_000;
const BAN_REASON = "Too many failed sign-in attempts";
// Account keys are client-chosen: cap them so one key cannot pin a large string in memory.
const MAX_ACCOUNT_KEY_LENGTH = 254;

export class Banned extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      403,
      "forbidden_access",
      "Too many failed sign-in attempts from your address; try again later",
      undefined,
      { "retry-after": String(retryAfterSeconds) },
    );
  }
}

/**
 * Abuse protection for /api/v1/auth: AUTH_RATE_LIMIT_MAX attempts a minute per client address
 * and per account, and a temporary ban of an address after AUTH_BAN_THRESHOLD failures in
 * FAILURE_WINDOW_MS. A ban closes every /api/v1/auth route (refresh tokens are credentials too)
 * but nothing else, so people signed in behind the same shared address keep working.
 *
 * Limits are checked in `transform` against the matched route, before validation and before any
 * password hashing; failures are seen in `mapResponse`, which also runs on error responses.
 */
export function authThrottle(deps: Deps) {
  const { config } = deps;
  const max = config.authRateLimitMax;
  const perAddress = max > 0 ? createWindowCounter(max, RATE_LIMIT_WINDOW_MS, deps.clock) : null;
  const perAccount = max > 0 ? createWindowCounter(max, RATE_LIMIT_WINDOW_MS, deps.clock) : null;
  const bansOn = config.authBanThreshold > 0;
  const counted = new WeakSet<Request>();

  return new Elysia()
    .onRequest(({ request, server }) => {
      if (!bansOn || !pathOf(request.url).startsWith(AUTH_PREFIX)) return;
      const until = bannedUntil(deps, clientIp(request, server, config.trustProxy));
      if (until !== null)
        throw new Banned(Math.max(1, Math.ceil((until - deps.clock.now()) / 1000)));
    })
    .onTransform({ as: "global" }, async ({ request, route, server, body, set }) => {
      if (request.method !== "POST" || !THROTTLED_ROUTES.has(route)) return;
      if (perAddress) {
        const ip = clientIp(request, server, config.trustProxy);
        await enforceWindow(perAddress, ip, set.headers, "Too many attempts; slow down");
      }
      const account = accountKey(body);
      if (perAccount && account) {
        await enforceWindow(
          perAccount,
          account,
          set.headers,
          "Too many attempts for this account; try again later",
        );
      }
    })
    .mapResponse({ as: "global" }, ({ request, route, server, response, set }) => {
      if (!bansOn || request.method !== "POST" || !FAILURE_ROUTES.has(route)) return;
      const status = response instanceof Response ? response.status : set.status;
      if ((status !== 400 && status !== 401) || counted.has(request)) return;
      counted.add(request);
      recordAuthFailure(deps, clientIp(request, server, config.trustProxy));
    });
}

/** The lower-cased email or username a body names, for the per-account limit. */
function accountKey(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const { email, username } = body as { email?: unknown; username?: unknown };
  const value = typeof email === "string" ? email : typeof username === "string" ? username : null;
  const key = value?.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY_LENGTH);
  return key ? key : null;
}

/** When the address's ban ends, or null. An expired ban no longer applies, purged or not. */
export function bannedUntil(deps: Deps, ip: string): number | null {
  const ban = deps.db
    .select({ expiresAt: bans.expiresAt })
    .from(bans)
    .where(and(eq(bans.ip, ip), gt(bans.expiresAt, deps.clock.now())))
    .get();
  return ban?.expiresAt ?? null;
}

/**
 * Remembers one failed attempt; the one that reaches the threshold within the window bans the
 * address. Returns whether it did. The address's older failures are dropped as we go, so the
 * table stays small without waiting for the scheduler.
 */
export function recordAuthFailure(deps: Deps, ip: string): boolean {
  const threshold = deps.config.authBanThreshold;
  if (threshold === 0) return false;
  const now = deps.clock.now();
  const since = now - FAILURE_WINDOW_MS;
  const banned = deps.db.transaction((tx) => {
    tx.insert(authFailures).values({ ip, createdAt: now }).run();
    tx.delete(authFailures)
      .where(and(eq(authFailures.ip, ip), lte(authFailures.createdAt, since)))
      .run();
    const failures =
      tx
        .select({ n: count() })
        .from(authFailures)
        .where(and(eq(authFailures.ip, ip), gt(authFailures.createdAt, since)))
        .get()?.n ?? 0;
    if (failures < threshold) return false;
    const ban = { reason: BAN_REASON, createdAt: now, expiresAt: now + BAN_DURATION_MS };
    tx.insert(bans)
      .values({ ip, ...ban })
      .onConflictDoUpdate({ target: bans.ip, set: ban })
      .run();
    // A fresh start once the ban ends, rather than a re-ban on the next failure.
    tx.delete(authFailures).where(eq(authFailures.ip, ip)).run();
    return true;
  });
  if (banned) deps.log.warn("address banned after failed sign-ins", { ip, failures: threshold });
  return banned;
}

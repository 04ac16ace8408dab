import { and, count, eq, gt, lte } from "drizzle-orm";
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import type { Clock } from "../../platform/clock";
import type { Config } from "../../platform/config";
import { authFailures, bans } from "../../platform/db/tables";
import { AppError, RateLimited } from "../../platform/errors";
import {
  clientKey,
  createWindowCounter,
  enforceWindow,
  RATE_LIMIT_WINDOW_MS,
} from "../../platform/http/rate-limit";
import { clientIp, pathOf } from "../../platform/http/request-context";

const AUTH_PREFIX = "/api/v1/auth/";

/** Routes that take credentials or codes, or send codes: each attempt counts per address. */
export const THROTTLED_ROUTES: ReadonlySet<string> = new Set(
  [
    "login",
    "signup",
    "token",
    "forgot-password",
    "resend-verification",
    "verify-otp",
    "verify-email",
  ].map((name) => `${AUTH_PREFIX}${name}`),
);

/**
 * Routes where a 400 or 401 means a wrong password or code: such failures count towards the
 * address's ban and the account's failure budget, which is checked before these routes run.
 * Signup's 400 (name taken) and any 422 (malformed body) are not guesses; they are held back by
 * the per-address limit alone.
 */
export const FAILURE_ROUTES: ReadonlySet<string> = new Set(
  ["login", "token", "verify-otp", "verify-email"].map((name) => `${AUTH_PREFIX}${name}`),
);

export const FAILURE_WINDOW_MS = 10 * 60_000;
export const BAN_DURATION_MS = 15 * 60_000;
/**
 * Failed attempts an account may take in ACCOUNT_FAILURE_WINDOW_MS, from all addresses together,
 * before its credential routes answer 429: AUTH_RATE_LIMIT_MAX, but never fewer than this. Only
 * failures count, so nothing a stranger can do without guessing (sign-up, reset or resend calls,
 * or the owner's own successful sign-ins) locks an account; and the budget is wide enough that a
 * few typos by the owner never do. An attack spread over many addresses still gets no more than
 * the budget's guesses per 15 minutes at one account, and the owner is locked out (429 even with
 * the right password) only while an attack keeps producing failures.
 */
export const MIN_ACCOUNT_FAILURES = 10;
export const ACCOUNT_FAILURE_WINDOW_MS = 15 * 60_000;
const BAN_REASON = "Too many failed sign-in attempts";
// Account keys are client-chosen: cap them so one key cannot pin a large string in memory.
const MAX_ACCOUNT_KEY_LENGTH = 254;
// Bounds the memory that failures naming made-up accounts can take; the oldest are dropped.
const MAX_TRACKED_ACCOUNTS = 10_000;

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
 * Abuse protection for /api/v1/auth.
 * - Per client address (IPv6 by /64, see clientKey): AUTH_RATE_LIMIT_MAX attempts a minute on
 *   THROTTLED_ROUTES, every attempt counted, whatever its outcome.
 * - Per account (the email or username a body names): failed attempts on FAILURE_ROUTES, from
 *   all addresses together; see accountFailureLimit. Checked before the route runs, counted after.
 * - A temporary ban of an address after AUTH_BAN_THRESHOLD failures in FAILURE_WINDOW_MS. A ban
 *   closes every /api/v1/auth route (refresh tokens are credentials too) but nothing else, so
 *   people signed in behind the same shared address keep working.
 *
 * Limits are checked in `transform` against the matched route, before validation and before any
 * password hashing; failures are seen in `mapResponse`, which also runs on error responses.
 */
export function authThrottle(deps: Deps) {
  const { config } = deps;
  const max = config.authRateLimitMax;
  const perAddress = max > 0 ? createWindowCounter(max, RATE_LIMIT_WINDOW_MS, deps.clock) : null;
  const perAccount =
    max > 0
      ? createFailureCounter(accountFailureLimit(config), ACCOUNT_FAILURE_WINDOW_MS, deps.clock)
      : null;
  const bansOn = config.authBanThreshold > 0;
  const accounts = new WeakMap<Request, string>();
  const counted = new WeakSet<Request>();
  const addressOf = (request: Request, server: Parameters<typeof clientIp>[1]) =>
    clientKey(clientIp(request, server, config.trustProxy));

  return new Elysia()
    .onRequest(({ request, server }) => {
      if (!bansOn || !pathOf(request.url).startsWith(AUTH_PREFIX)) return;
      const until = bannedUntil(deps, addressOf(request, server));
      if (until !== null)
        throw new Banned(Math.max(1, Math.ceil((until - deps.clock.now()) / 1000)));
    })
    .onTransform({ as: "global" }, ({ request, route, server, body, set }) => {
      if (request.method !== "POST" || !THROTTLED_ROUTES.has(route)) return;
      if (perAddress) {
        const key = addressOf(request, server);
        enforceWindow(perAddress, key, set.headers, "Too many attempts; slow down");
      }
      const account = FAILURE_ROUTES.has(route) ? accountKey(body) : null;
      if (!perAccount || !account) return;
      accounts.set(request, account);
      const retryAfter = perAccount.lockedFor(account);
      if (retryAfter === null) return;
      set.headers["ratelimit-limit"] = String(perAccount.limit);
      set.headers["ratelimit-remaining"] = "0";
      set.headers["ratelimit-reset"] = String(retryAfter);
      throw new RateLimited(
        retryAfter,
        "Too many failed attempts for this account; try again later",
      );
    })
    .mapResponse({ as: "global" }, ({ request, route, server, response, set }) => {
      if (request.method !== "POST" || !FAILURE_ROUTES.has(route)) return;
      const status = response instanceof Response ? response.status : set.status;
      if ((status !== 400 && status !== 401) || counted.has(request)) return;
      counted.add(request);
      const account = accounts.get(request);
      if (perAccount && account) perAccount.record(account);
      if (bansOn) recordAuthFailure(deps, addressOf(request, server));
    });
}

/** The per-account failure budget: see MIN_ACCOUNT_FAILURES. */
export function accountFailureLimit(config: Pick<Config, "authRateLimitMax">): number {
  return Math.max(config.authRateLimitMax, MIN_ACCOUNT_FAILURES);
}

export interface FailureCounter {
  readonly limit: number;
  /** Whole seconds until the key may try again, or null while it has failures left. */
  lockedFor(key: string): number | null;
  record(key: string): void;
}

/**
 * Failures per key in fixed windows that start at a key's first failure. Unlike the request
 * counters, checking costs nothing: only `record` counts, so refused attempts never stretch a
 * lock. In memory, like the other limits; timed by our clock.
 */
export function createFailureCounter(
  limit: number,
  windowMs: number,
  clock: Clock,
): FailureCounter {
  const windows = new Map<string, { failures: number; endsAt: number }>();
  const current = (key: string) => {
    const window = windows.get(key);
    if (window && window.endsAt <= clock.now()) windows.delete(key);
    return window && window.endsAt > clock.now() ? window : undefined;
  };
  return {
    limit,
    lockedFor(key) {
      const window = current(key);
      if (!window || window.failures < limit) return null;
      return Math.max(1, Math.ceil((window.endsAt - clock.now()) / 1000));
    },
    record(key) {
      const window = current(key);
      if (window) {
        window.failures += 1;
        return;
      }
      if (windows.size >= MAX_TRACKED_ACCOUNTS) {
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      windows.set(key, { failures: 1, endsAt: clock.now() + windowMs });
    },
  };
}

/** The lower-cased email or username a body names, for the per-account failure budget. */
function accountKey(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const { email, username } = body as { email?: unknown; username?: unknown };
  const value = typeof email === "string" ? email : typeof username === "string" ? username : null;
  const key = value?.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY_LENGTH);
  return key ? key : null;
}

/**
 * When the address's ban ends, or null. An expired ban no longer applies, purged or not. `ip` is
 * a clientKey, as is every address that bans and failures are stored under.
 */
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

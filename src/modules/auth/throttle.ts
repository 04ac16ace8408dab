import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import type { Config } from "../../platform/config";
import { RateLimited } from "../../platform/errors";
import { clientKey, createKeyLimit, RATE_LIMIT_WINDOW_MS } from "../../platform/http/rate-limit";
import { clientIp, pathOf } from "../../platform/http/request-context";
import { counterLedger, createSharedFailureBudget } from "../../platform/shared/failure-budget";
import { createOutageReport } from "../../platform/shared/outage";
import { selectUserByLogin } from "../users/rows";
import { assertNotBanned, createBanBudget } from "./address-bans";
import {
  createFailureBudget,
  type FailureBudget,
  fromSharedBudget,
  isRefusal,
  type Reservation,
} from "./failure-budget";

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
 * address's ban and the account's failure budget, in which each attempt reserves its place before
 * these routes run. Signup's 400 (name taken) and any 422 (malformed body) are not guesses; they
 * are held back by the per-address limit alone.
 */
export const FAILURE_ROUTES: ReadonlySet<string> = new Set(
  ["login", "token", "verify-otp", "verify-email"].map((name) => `${AUTH_PREFIX}${name}`),
);

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
// Account keys are client-chosen: cap them so one key cannot pin a large string in memory.
const MAX_ACCOUNT_KEY_LENGTH = 254;

/**
 * Abuse protection for /api/v1/auth.
 * - Per client address (IPv6 by /64, see clientKey): AUTH_RATE_LIMIT_MAX attempts a minute on
 *   THROTTLED_ROUTES, every attempt counted, whatever its outcome.
 * - Per account (see accountKey): failed attempts on FAILURE_ROUTES, from all addresses
 *   together; see accountFailureLimit.
 * - A temporary ban of an address after AUTH_BAN_THRESHOLD failures in FAILURE_WINDOW_MS. A ban
 *   closes every /api/v1/auth route (refresh tokens are credentials too) but nothing else, so
 *   people signed in behind the same shared address keep working.
 *
 * Limits are checked in `transform` against the matched route, before validation and before any
 * password hashing. There each attempt on a FAILURE_ROUTE also reserves a failure in the account's
 * budget and in the address's ban threshold, and holds it until its outcome is seen in
 * `mapResponse` (which also runs on error responses): a failure keeps it, anything else (success,
 * 422, 503 busy hasher...) hands it back. Attempts in flight count against the limits, so no
 * number of simultaneous attempts gets more checks than failures are left. A request whose body
 * cannot be parsed never reaches `transform` and reserves nothing: it is no guess.
 *
 * Several instances (deps.shared) keep all three in their shared store, so the limits hold
 * across them as within one; a failure is counted before the response goes out. When that store
 * cannot be reached, the per-address limit lets attempts through (and logs) while the budgets
 * answer 503: a budget is what stops guessing. One instance keeps them in memory, as before.
 */
export function authThrottle(deps: Deps) {
  const { config } = deps;
  const max = config.authRateLimitMax;
  const shared = deps.shared.counters !== null;
  const limitAddress =
    max > 0
      ? createKeyLimit(deps, {
          max,
          windowMs: RATE_LIMIT_WINDOW_MS,
          prefix: "auth-rate:",
          detail: "Too many attempts; slow down",
          name: "auth rate limit",
        })
      : null;
  const perAccount = max > 0 ? accountBudget(deps) : null;
  const bansOn = config.authBanThreshold > 0;
  const perBanAddress = bansOn ? createBanBudget(deps) : null;
  const held = new WeakMap<Request, Reservation[]>();
  const addressOf = (request: Request, server: Parameters<typeof clientIp>[1]) =>
    clientKey(clientIp(request, server, config.trustProxy));
  const take = (request: Request) => {
    const reservations = held.get(request);
    if (reservations) held.delete(request);
    return reservations;
  };
  const settle = (request: Request, status: unknown) => {
    const reservations = take(request);
    if (!reservations) return;
    for (const reservation of reservations) reservation.settle(status === 400 || status === 401);
  };
  const settleShared = async (request: Request, status: unknown) => {
    const reservations = take(request);
    if (!reservations) return;
    const failed = status === 400 || status === 401;
    await Promise.all(reservations.map((reservation) => reservation.settle(failed)));
  };

  const throttle = new Elysia()
    .onRequest(async ({ request, server }) => {
      if (bansOn && pathOf(request.url).startsWith(AUTH_PREFIX)) {
        await assertNotBanned(deps, addressOf(request, server));
      }
    })
    .onTransform({ as: "global" }, async ({ request, route, server, body, set }) => {
      if (request.method !== "POST" || !THROTTLED_ROUTES.has(route)) return;
      const address = addressOf(request, server);
      // Awaited only when shared: in memory the limit is decided (or thrown) synchronously.
      const limited = limitAddress?.(address, set.headers);
      if (limited) await limited;
      if (!FAILURE_ROUTES.has(route)) return;
      const reservations: Reservation[] = [];
      try {
        const account = perAccount && (await accountKey(deps, body));
        if (perAccount && account) {
          reservations.push(await reserve(perAccount, account, set.headers, "for this account"));
        }
        if (perBanAddress) {
          reservations.push(
            await reserve(perBanAddress, address, set.headers, "from your address"),
          );
          // A ban may have landed since onRequest: checked after the place is taken, since the
          // failure that bans is counted while holding the last place, so no place taken before
          // the ban can reach a check after it, and one taken after it sees it here.
          await assertNotBanned(deps, address);
        }
      } catch (error) {
        await Promise.all(reservations.map((reservation) => reservation.settle(false)));
        throw error;
      }
      held.set(request, reservations);
    });
  // Shared budgets count a failure before it is answered, so a client that saw it sees it
  // counted, whichever instance it asks next.
  const settled = shared
    ? throttle.mapResponse({ as: "global" }, async ({ request, response, set }) => {
        await settleShared(request, response instanceof Response ? response.status : set.status);
      })
    : throttle.mapResponse({ as: "global" }, ({ request, response, set }) => {
        settle(request, response instanceof Response ? response.status : set.status);
      });
  return settled.onAfterResponse({ as: "global" }, ({ request, set }) => {
    // Normally settled already; this keeps a reservation from outliving its request if some
    // path ever skips mapResponse.
    settle(request, set.status);
  });
}

/** The per-account failure budget: in memory, or in the shared store. */
function accountBudget(deps: Deps): FailureBudget {
  const limit = accountFailureLimit(deps.config);
  const counters = deps.shared.counters;
  if (!counters) return createFailureBudget(limit, ACCOUNT_FAILURE_WINDOW_MS, deps.clock);
  const budget = createSharedFailureBudget({
    limit,
    counters,
    ledger: counterLedger(counters, ACCOUNT_FAILURE_WINDOW_MS, "account-failures:"),
    clock: deps.clock,
    holdPrefix: "account-hold:",
    serialize: deps.shared.serialize,
  });
  return fromSharedBudget(
    budget,
    createOutageReport(deps.log, deps.clock, "failure budget store unreachable"),
  );
}

/** Takes one place in a budget, or throws the 429 that says why there is none. */
async function reserve(
  budget: FailureBudget,
  key: string,
  headers: Record<string, unknown>,
  whose: string,
): Promise<Reservation> {
  const result = await budget.reserve(key);
  if (!isRefusal(result)) return result;
  headers["ratelimit-limit"] = String(budget.limit);
  headers["ratelimit-remaining"] = "0";
  headers["ratelimit-reset"] = String(result.retryAfterSeconds);
  throw new RateLimited(
    result.retryAfterSeconds,
    result.inProgress
      ? `Too many attempts ${whose} in progress; try again shortly`
      : `Too many failed attempts ${whose}; try again later`,
  );
}

/** The per-account failure budget: see MIN_ACCOUNT_FAILURES. */
export function accountFailureLimit(config: Pick<Config, "authRateLimitMax">): number {
  return Math.max(config.authRateLimitMax, MIN_ACCOUNT_FAILURES);
}

/**
 * The budget key of the account that a body's email or username names. An account's username
 * and email (in any case) share one key, its id, so switching names buys no more guesses. A name
 * with no account is keyed by the name itself, lower-cased: its attempts are limited and answered
 * exactly as an account's are, so the limit does not tell which accounts exist. (The same query
 * runs either way.)
 */
async function accountKey(deps: Deps, body: unknown): Promise<string | null> {
  if (typeof body !== "object" || body === null) return null;
  const { email, username } = body as { email?: unknown; username?: unknown };
  const value = typeof email === "string" ? email : typeof username === "string" ? username : null;
  const name = value?.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY_LENGTH);
  if (!name) return null;
  const user = await selectUserByLogin(deps.sql, name);
  return user ? `user:${user.id}` : `name:${name}`;
}

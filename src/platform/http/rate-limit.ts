import { Elysia } from "elysia";
import { DefaultContext, defaultOptions } from "elysia-rate-limit";
import type { Deps } from "../../deps";
import type { Clock } from "../clock";
import { RateLimited } from "../errors";
import { clientIp, pathOf } from "./request-context";

export const RATE_LIMIT_WINDOW_MS = 60_000;
// Probes from load balancers and scrapers must never be throttled into looking like an outage.
const EXEMPT_PATHS = new Set(["/health", "/ready", "/metrics"]);
// Bounds the memory an address-hopping client can make us spend; the oldest keys are dropped.
const MAX_TRACKED_KEYS = 10_000;

export interface WindowHit {
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
  exceeded: boolean;
}

export type WindowCounter = (key: string) => Promise<WindowHit>;

/**
 * Fixed one-window counters per key, kept in elysia-rate-limit's bounded LRU store but timed by
 * our clock (so tests can move time). Each app gets its own store: nothing is shared between
 * instances in one process.
 */
export function createWindowCounter(max: number, windowMs: number, clock: Clock): WindowCounter {
  const store = new DefaultContext(MAX_TRACKED_KEYS);
  store.init({ ...defaultOptions, max, duration: windowMs });
  return async (key) => {
    const now = clock.now();
    const { count, nextReset } = await store.increment(key, windowMs, now);
    return {
      limit: max,
      remaining: Math.max(max - count, 0),
      resetSeconds: Math.max(1, Math.ceil((nextReset.getTime() - now) / 1000)),
      exceeded: count > max,
    };
  };
}

/**
 * Counts one request against a window; over the limit it throws 429 with Retry-After. When
 * several limits apply to a request, the RateLimit-* headers describe the one closest to running
 * out.
 */
export async function enforceWindow(
  counter: WindowCounter,
  key: string,
  headers: Record<string, unknown>,
  detail?: string,
): Promise<void> {
  const hit = await counter(key);
  const shown = headers["ratelimit-remaining"];
  if (hit.exceeded || shown === undefined || hit.remaining < Number(shown)) {
    headers["ratelimit-limit"] = String(hit.limit);
    headers["ratelimit-remaining"] = String(hit.remaining);
    headers["ratelimit-reset"] = String(hit.resetSeconds);
  }
  if (hit.exceeded) throw new RateLimited(hit.resetSeconds, detail);
}

/**
 * RATE_LIMIT_MAX requests per minute per client address, with the IETF RateLimit-* headers.
 *
 * The library's own plugin counts in `beforeHandle`, after parsing, validation and the auth
 * macro: with our global error handler answering first, floods of 401s, 404s and 422s were never
 * counted, and its 429 carried a fixed Retry-After and no RateLimit-* headers. So the counting
 * runs here in `onRequest`, ahead of all of that, on the library's store.
 */
export function globalRateLimit(deps: Deps) {
  const { config } = deps;
  if (config.rateLimitMax === 0) return new Elysia();
  const counter = createWindowCounter(config.rateLimitMax, RATE_LIMIT_WINDOW_MS, deps.clock);
  return new Elysia().onRequest(async ({ request, server, set }) => {
    if (EXEMPT_PATHS.has(pathOf(request.url))) return;
    const ip = clientIp(request, server, config.trustProxy);
    await enforceWindow(counter, ip, set.headers);
  });
}

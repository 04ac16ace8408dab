import { isIPv4, isIPv6 } from "node:net";
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import type { Clock } from "../clock";
import { RateLimited } from "../errors";
import { createOutageReport } from "../shared/outage";
import { createSharedWindowCounter, type SharedWindowCounter } from "../shared/rate-window";
import { clientIp, pathOf } from "./request-context";

export const RATE_LIMIT_WINDOW_MS = 60_000;
// Probes from load balancers and scrapers must never be throttled into looking like an outage.
export const EXEMPT_PATHS: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics"]);
// Bounds the memory an address-hopping client can make us spend; the oldest keys are dropped.
const MAX_TRACKED_KEYS = 10_000;

export interface WindowHit {
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
  exceeded: boolean;
}

export type WindowCounter = (key: string) => WindowHit;

/**
 * Fixed one-window counters per key (a window starts at the key's first request), timed by our
 * clock so tests can move time. The store is a Map kept in least-recently-used order and bounded
 * by MAX_TRACKED_KEYS. It is synchronous: this runs on every request, and an async store cost a
 * promise and a turn of the event loop for each. Each app gets its own store: nothing is shared
 * between instances in one process.
 */
export function createWindowCounter(max: number, windowMs: number, clock: Clock): WindowCounter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return (key) => {
    const now = clock.now();
    let window = windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      window = { count: 1, resetAt: now + windowMs };
    } else {
      window.count += 1;
    }
    // Re-inserting moves the key to the end, so the first key is always the least recently used.
    windows.delete(key);
    windows.set(key, window);
    if (windows.size > MAX_TRACKED_KEYS) {
      const oldest = windows.keys().next().value;
      if (oldest !== undefined) windows.delete(oldest);
    }
    return {
      limit: max,
      remaining: Math.max(max - window.count, 0),
      resetSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
      exceeded: window.count > max,
    };
  };
}

/**
 * Counts one request against a window; over the limit it throws 429 with Retry-After. When
 * several limits apply to a request, the RateLimit-* headers describe the one closest to running
 * out.
 */
export function enforceWindow(
  counter: WindowCounter,
  key: string,
  headers: Record<string, unknown>,
  detail?: string,
): void {
  applyWindowHit(counter(key), headers, detail);
}

/**
 * As enforceWindow, for a counter that several instances share. When its store cannot be
 * reached the request goes through (a rate limit is a guard against floods, not a lock: an
 * outage of Redis or the database must not take the whole API down with it) and the
 * failure is reported to `unavailable`.
 */
export async function enforceSharedWindow(
  counter: SharedWindowCounter,
  key: string,
  headers: Record<string, unknown>,
  unavailable: (error: unknown) => void,
  detail?: string,
): Promise<void> {
  let hit: WindowHit;
  try {
    hit = await counter(key);
  } catch (error) {
    unavailable(error);
    return;
  }
  applyWindowHit(hit, headers, detail);
}

function applyWindowHit(hit: WindowHit, headers: Record<string, unknown>, detail?: string): void {
  const shown = headers["ratelimit-remaining"];
  if (hit.exceeded || shown === undefined || hit.remaining < Number(shown)) {
    headers["ratelimit-limit"] = String(hit.limit);
    headers["ratelimit-remaining"] = String(hit.remaining);
    headers["ratelimit-reset"] = String(hit.resetSeconds);
  }
  if (hit.exceeded) throw new RateLimited(hit.resetSeconds, detail);
}

/** Counts one hit for `key` and throws 429 past the limit; a promise only when shared. */
export type KeyLimit = (key: string, headers: Record<string, unknown>) => void | Promise<void>;

export interface KeyLimitOptions {
  max: number;
  windowMs: number;
  /** Keeps this limit's keys apart from others' in a shared store ("auth-rate:"). */
  prefix: string;
  /** The 429's detail. */
  detail: string;
  /** Names the limit in the log line when its shared store cannot be reached. */
  name: string;
}

/**
 * A limit per key: in memory and synchronous on one instance, in the shared store with several
 * (deps.shared), where an unreachable store lets the hit through and logs it (enforceSharedWindow).
 */
export function createKeyLimit(deps: Deps, options: KeyLimitOptions): KeyLimit {
  const { max, windowMs, prefix, detail, name } = options;
  const counters = deps.shared.counters;
  if (!counters) {
    const counter = createWindowCounter(max, windowMs, deps.clock);
    return (key, headers) => enforceWindow(counter, key, headers, detail);
  }
  const counter = createSharedWindowCounter(counters, max, windowMs, deps.clock, prefix);
  const unavailable = createOutageReport(
    deps.log,
    deps.clock,
    `${name} store unreachable; let through uncounted`,
  );
  return (key, headers) => enforceSharedWindow(counter, key, headers, unavailable, detail);
}

/**
 * RATE_LIMIT_MAX requests per minute per client address, with the IETF RateLimit-* headers.
 *
 * elysia-rate-limit's plugin counts in `beforeHandle`, after parsing, validation and the auth
 * macro: with our global error handler answering first, floods of 401s, 404s and 422s were never
 * counted, and its 429 carried a fixed Retry-After and no RateLimit-* headers. So the counting
 * runs here in `onRequest`, ahead of all of that.
 *
 * Several instances (deps.shared) count in their shared store, so the limit holds across them;
 * one instance keeps the synchronous in-memory counter, with no promise per request.
 */
export function globalRateLimit(deps: Deps) {
  const { config } = deps;
  if (config.rateLimitMax === 0) return new Elysia();
  const shared = deps.shared.counters;
  if (shared) {
    const sharedCounter = createSharedWindowCounter(
      shared,
      config.rateLimitMax,
      RATE_LIMIT_WINDOW_MS,
      deps.clock,
      "rate:",
    );
    const unavailable = createOutageReport(
      deps.log,
      deps.clock,
      "rate limit store unreachable; requests let through uncounted",
    );
    return new Elysia().onRequest(async ({ request, server, set }) => {
      if (EXEMPT_PATHS.has(pathOf(request.url))) return;
      const key = clientKey(clientIp(request, server, config.trustProxy));
      await enforceSharedWindow(sharedCounter, key, set.headers, unavailable);
    });
  }
  const counter = createWindowCounter(config.rateLimitMax, RATE_LIMIT_WINDOW_MS, deps.clock);
  return new Elysia().onRequest(({ request, server, set }) => {
    if (EXEMPT_PATHS.has(pathOf(request.url))) return;
    enforceWindow(counter, clientKey(clientIp(request, server, config.trustProxy)), set.headers);
  });
}

/**
 * The key that rate limits, failure counts and bans use for a client address. An IPv6 client is
 * normally given a whole /64 and can hop between its addresses at will, so IPv6 counts by /64
 * prefix ("2001:db8:1:2::/64"); an IPv4-mapped IPv6 address (what a dual-stack socket reports for
 * an IPv4 client) counts as the plain IPv4 address. Brackets, a zone and a port are dropped.
 * Anything that is not an IP address is kept as it is. Sessions still record the full address.
 */
export function clientKey(ip: string): string {
  let address = ip.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address);
  if (withPort?.[1]) address = withPort[1];
  address = address.replace(/%.*$/, "");
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return ip.trim();
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = groups;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff) {
    return [g >> 8, g & 255, h >> 8, h & 255].join(".");
  }
  return `${formatIpv6([a, b, c, d, 0, 0, 0, 0])}/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  // A dotted IPv4 tail (::ffff:192.0.2.7) stands for the last two groups.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, p, q, r, s) =>
    [Number(p) * 256 + Number(q), Number(r) * 256 + Number(s)].map((n) => n.toString(16)).join(":"),
  );
  const [head = "", tail] = text.split("::");
  const front = head ? head.split(":") : [];
  const back = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? 0 : 8 - front.length - back.length;
  const groups = [...front, ...Array<string>(zeros).fill("0"), ...back].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as "::". */
function formatIpv6(groups: number[]): string {
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > best.length) best = { start, length: end - start };
    start = end === start ? start + 1 : end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start === -1) return hex.join(":");
  const before = hex.slice(0, best.start).join(":");
  const after = hex.slice(best.start + best.length).join(":");
  return `${before}::${after}`;
}

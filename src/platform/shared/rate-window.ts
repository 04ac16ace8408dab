import type { Clock } from "../clock";
import type { WindowHit } from "../http/rate-limit";
import { type Awaitable, type WindowCount, type WindowCounters, whenReady } from "./counters";

/** The rate limiter's counter (rate-limit.ts), answered from any WindowCounters store. */
export type SharedWindowCounter = (key: string) => Awaitable<WindowHit>;

/**
 * `max` hits per `windowMs` per key, counted in `counters` under `prefix` (limits sharing a
 * store must not share keys: the global and the auth limits both count by address). On the
 * memory store it answers synchronously, exactly as `createWindowCounter` does.
 */
export function createSharedWindowCounter(
  counters: WindowCounters,
  max: number,
  windowMs: number,
  clock: Clock,
  prefix: string,
): SharedWindowCounter {
  return (key) => {
    const now = clock.now();
    return whenReady(counters.hit(`${prefix}${key}`, windowMs, now), (window) =>
      toWindowHit(window, max, now),
    );
  };
}

export function toWindowHit(window: WindowCount, max: number, now: number): WindowHit {
  return {
    limit: max,
    remaining: Math.max(max - window.count, 0),
    resetSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
    exceeded: window.count > max,
  };
}

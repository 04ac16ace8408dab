/**
 * Counters that several server instances must agree on: the per-address rate limits and the
 * per-account failure budgets (issue 11). One interface, three stores: this process's memory
 * (one instance, as today), the shared database (sql-counters.ts) and Redis (redis-counters.ts).
 *
 * Every operation on one key is atomic in each store, so hits arriving at once through any
 * number of instances are each counted exactly once.
 */

/** A value now, or later: the memory store answers at once, the shared stores after a round trip. */
export type Awaitable<T> = T | Promise<T>;

/** A key's running window: hits counted in it, and when it ends (ms since the epoch). */
export interface WindowCount {
  count: number;
  resetAt: number;
}

export interface WindowCounters {
  /**
   * Counts one hit. A window that has ended (or never started) starts afresh at `now`, lasting
   * `windowMs`: fixed windows, starting at a key's first hit, as the rate limiter counts.
   */
  hit(key: string, windowMs: number, now: number): Awaitable<WindowCount>;
  /**
   * Counts one hold on a lease: like `hit`, but every hold moves the end to `now + leaseMs`, so
   * the count lives as long as its latest holder may still be at work. Failure budgets count the
   * attempts in progress this way; a holder that never releases (its instance died) is forgotten
   * once no hold has been taken for `leaseMs`.
   */
  hold(key: string, leaseMs: number, now: number): Awaitable<WindowCount>;
  /** Hands back one hit or hold of a running window; never below zero, nothing once it ended. */
  release(key: string, now: number): Awaitable<void>;
  /** The running window, or null when there is none. Counts nothing. */
  peek(key: string, now: number): Awaitable<WindowCount | null>;
  /** Forgets the key's window. */
  reset(key: string): Awaitable<void>;
  /** Drops windows that ended by `now` and says how many (stores that expire keys say 0). */
  sweep(now: number): Awaitable<number>;
}

/** Runs `next` on a value that may still be on its way, staying synchronous when it is not. */
export function whenReady<T, R>(value: Awaitable<T>, next: (ready: T) => R): Awaitable<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

// Bounds the memory an address-hopping client can make us spend; the oldest keys are dropped.
export const MAX_TRACKED_KEYS = 10_000;

/**
 * Counters in this process's memory: right for one instance, and synchronous, because the rate
 * limiter runs on every request and a promise per request cost a turn of the event loop. Keys
 * are kept in least-recently-used order and bounded by `maxKeys`, as the rate limiter's were.
 */
export class MemoryWindowCounters implements WindowCounters {
  private readonly windows = new Map<string, WindowCount>();

  constructor(private readonly maxKeys = MAX_TRACKED_KEYS) {}

  hit(key: string, windowMs: number, now: number): WindowCount {
    return this.count(key, windowMs, now, false);
  }

  hold(key: string, leaseMs: number, now: number): WindowCount {
    return this.count(key, leaseMs, now, true);
  }

  release(key: string, now: number): void {
    const window = this.running(key, now);
    if (window && window.count > 0) window.count -= 1;
  }

  peek(key: string, now: number): WindowCount | null {
    const window = this.running(key, now);
    return window ? { ...window } : null;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  sweep(now: number): number {
    let swept = 0;
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) {
        this.windows.delete(key);
        swept += 1;
      }
    }
    return swept;
  }

  private count(key: string, ms: number, now: number, extend: boolean): WindowCount {
    let window = this.running(key, now);
    if (window === null) {
      window = { count: 1, resetAt: now + ms };
    } else {
      window.count += 1;
      if (extend) window.resetAt = now + ms;
    }
    // Re-inserting moves the key to the end, so the first key is always the least recently used.
    this.windows.delete(key);
    this.windows.set(key, window);
    if (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    return { ...window };
  }

  private running(key: string, now: number): WindowCount | null {
    const window = this.windows.get(key);
    return window && window.resetAt > now ? window : null;
  }
}

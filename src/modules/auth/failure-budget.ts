import type { Clock } from "../../platform/clock";

// Bounds the memory that failures naming made-up accounts can take; the oldest are dropped.
const MAX_TRACKED_KEYS = 10_000;

/**
 * One attempt's hold on a failure budget, taken before the secret is checked. `settle(true)`
 * turns it into a counted failure, `settle(false)` hands it back; only the first call counts.
 */
export interface Reservation {
  settle(failed: boolean): void;
}

/** Why a budget refused a reservation: spent by failures, or held by attempts in progress. */
export interface Refusal {
  retryAfterSeconds: number;
  inProgress: boolean;
}

export interface FailureBudget {
  readonly limit: number;
  /**
   * Holds one of the key's failures for an attempt in progress, or says why it cannot. A budget
   * kept in the database answers asynchronously; its check and hold still happen in one step
   * after the read, so attempts arriving together cannot both take the last place.
   */
  reserve(key: string): Reservation | Refusal | Promise<Reservation | Refusal>;
}

export function isRefusal(result: Reservation | Refusal): result is Refusal {
  return "retryAfterSeconds" in result;
}

/**
 * Counts of attempts in progress per key. Budgets add them to the failures already counted, so
 * that however many attempts arrive at once, no more can reach the check than failures are left:
 * each holds its place from before the check until its outcome is known.
 */
export function createInFlight() {
  const counts = new Map<string, number>();
  return {
    count: (key: string) => counts.get(key) ?? 0,
    /** Takes a place for `key`; the returned settle gives it back and runs `onFailure` once. */
    hold(key: string, onFailure: () => unknown): Reservation {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      let settled = false;
      return {
        settle(failed) {
          if (settled) return;
          settled = true;
          const left = (counts.get(key) ?? 1) - 1;
          if (left > 0) counts.set(key, left);
          else counts.delete(key);
          if (failed) onFailure();
        },
      };
    },
  };
}

/**
 * Failures per key in fixed windows that start at a key's first failure, in memory and timed by
 * our clock. Only settled failures count, so refused attempts never stretch a lock.
 */
export function createFailureBudget(limit: number, windowMs: number, clock: Clock): FailureBudget {
  const windows = new Map<string, { failures: number; endsAt: number }>();
  const inFlight = createInFlight();
  const current = (key: string) => {
    const window = windows.get(key);
    if (window && window.endsAt <= clock.now()) windows.delete(key);
    return window && window.endsAt > clock.now() ? window : undefined;
  };
  const record = (key: string) => {
    const window = current(key);
    if (window) {
      window.failures += 1;
      return;
    }
    if (windows.size >= MAX_TRACKED_KEYS) {
      const oldest = windows.keys().next().value;
      if (oldest !== undefined) windows.delete(oldest);
    }
    windows.set(key, { failures: 1, endsAt: clock.now() + windowMs });
  };
  return {
    limit,
    reserve(key) {
      const window = current(key);
      if (window && window.failures >= limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil((window.endsAt - clock.now()) / 1000));
        return { retryAfterSeconds, inProgress: false };
      }
      if ((window?.failures ?? 0) + inFlight.count(key) >= limit) {
        // Each attempt in progress settles within moments, one way or the other.
        return { retryAfterSeconds: 1, inProgress: true };
      }
      return inFlight.hold(key, () => record(key));
    },
  };
}

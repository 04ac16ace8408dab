import type { Clock } from "../../platform/clock";
import { AppError } from "../../platform/errors";
import { isBudgetRefusal, type SharedFailureBudget } from "../../platform/shared/failure-budget";

// Bounds the memory that failures naming made-up accounts can take; the oldest are dropped.
const MAX_TRACKED_KEYS = 10_000;

/**
 * One attempt's hold on a failure budget, taken before the secret is checked. `settle(true)`
 * turns it into a counted failure, `settle(false)` hands it back; only the first call counts.
 * A budget kept in memory settles at once; a shared one answers when its store has it.
 */
export interface Reservation {
  settle(failed: boolean): void | Promise<void>;
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

/** Seconds a client is asked to wait when the budgets' store cannot be reached. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * The budgets' shared store (Redis, the database) cannot be reached. A credential route then
 * answers 503 rather than check a password uncounted: a budget is what stops guessing, and an
 * outage must not be a window for it.
 */
export class BudgetUnavailable extends AppError {
  constructor() {
    super(
      503,
      "service_unavailable",
      "Sign-in attempts cannot be counted right now; try again shortly",
      undefined,
      { "retry-after": String(UNAVAILABLE_RETRY_SECONDS) },
    );
  }
}

/**
 * A budget shared between instances (platform/shared/failure-budget.ts) as a FailureBudget: a
 * store failure while reserving is a 503 (BudgetUnavailable); one while settling is reported and
 * the place is left to its lease, which ends it within a minute.
 */
export function fromSharedBudget(
  shared: SharedFailureBudget,
  report: (error: unknown) => void,
): FailureBudget {
  return {
    limit: shared.limit,
    async reserve(key) {
      let result: Awaited<ReturnType<SharedFailureBudget["reserve"]>>;
      try {
        result = await shared.reserve(key);
      } catch (error) {
        report(error);
        throw new BudgetUnavailable();
      }
      if (isBudgetRefusal(result)) return result;
      const reservation = result;
      return { settle: (failed) => reservation.settle(failed).catch(report) };
    },
  };
}

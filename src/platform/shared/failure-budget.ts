import type { Clock } from "../clock";
import type { Awaitable, WindowCount, WindowCounters } from "./counters";

/**
 * Failure budgets (decision 006) over shared counters, so that the limit holds across instances
 * as it does within one: the failures counted, and the attempts in progress that may still
 * become failures, are both kept where every instance sees them.
 */

/** Where a budget's failures are counted: the counters themselves, or a table (address bans). */
export interface FailureLedger {
  /** The failures in the key's running window, or null when it has none. */
  current(key: string, now: number): Awaitable<WindowCount | null>;
  record(key: string, now: number): Awaitable<void>;
}

/** Failures kept in the counters, in fixed windows of `windowMs` from a key's first failure. */
export function counterLedger(
  counters: WindowCounters,
  windowMs: number,
  prefix: string,
): FailureLedger {
  return {
    current: (key, now) => counters.peek(`${prefix}${key}`, now),
    record: async (key, now) => {
      await counters.hit(`${prefix}${key}`, windowMs, now);
    },
  };
}

/** One attempt's place, taken before the secret is checked; only the first settle counts. */
export interface SharedReservation {
  /** `true`: the place becomes a counted failure; `false`: it is handed back. */
  settle(failed: boolean): Promise<void>;
}

/** Why a place was refused: failures spent the budget, or attempts in progress hold it. */
export interface BudgetRefusal {
  retryAfterSeconds: number;
  inProgress: boolean;
}

export interface SharedFailureBudget {
  readonly limit: number;
  reserve(key: string): Promise<SharedReservation | BudgetRefusal>;
}

export function isBudgetRefusal(
  result: SharedReservation | BudgetRefusal,
): result is BudgetRefusal {
  return "retryAfterSeconds" in result;
}

/**
 * How long a place is held for an attempt whose instance never settles it (it died). Far longer
 * than any attempt takes, queue for the password hasher included; each new place renews it.
 */
export const HOLD_LEASE_MS = 60_000;

export interface SharedFailureBudgetOptions {
  limit: number;
  counters: WindowCounters;
  ledger: FailureLedger;
  clock: Clock;
  /** Keeps this budget's places apart from another's on the same key ("account:", "ban:"). */
  holdPrefix: string;
  leaseMs?: number;
  /**
   * Runs each of an attempt's two steps (take a place and read the failures; count a failure
   * and hand the place back) so that no other attempt's step runs in between: the database's
   * write lock, when the places and failures are rows in it. Without it an attempt that reads
   * while another settles can see that one both as a failure and as a place, and is refused a
   * place that is free (never given one that is not).
   */
  serialize?: Serialize;
}

/** Runs `steps` as one step against every other serialized step, on every instance. */
export type Serialize = <T>(steps: () => Promise<T>) => Promise<T>;

const unserialized: Serialize = (steps) => steps();

/**
 * A failure budget whose attempts in progress are held in the counters, as leases. An attempt
 * takes its place first and then reads the failures: a place is refused when the failures have
 * spent the budget, or when failures plus places (its own included) exceed it, and a refused
 * place is handed back. A failure is counted before its place is handed back, so failures plus
 * places never dip below the truth in between and no two attempts can take one last place.
 */
export function createSharedFailureBudget(
  options: SharedFailureBudgetOptions,
): SharedFailureBudget {
  const { limit, counters, ledger, clock, holdPrefix } = options;
  const leaseMs = options.leaseMs ?? HOLD_LEASE_MS;
  const serialize = options.serialize ?? unserialized;
  return {
    limit,
    reserve: (key) => serialize(() => reserve(key)),
  };

  async function reserve(key: string): Promise<SharedReservation | BudgetRefusal> {
    const holdKey = `${holdPrefix}${key}`;
    const release = () => counters.release(holdKey, clock.now());
    const now = clock.now();
    const held = await counters.hold(holdKey, leaseMs, now);
    let failures: WindowCount | null;
    try {
      failures = await ledger.current(key, now);
    } catch (error) {
      await release();
      throw error;
    }
    const spent = failures?.count ?? 0;
    if (failures && spent >= limit) {
      await release();
      const retryAfterSeconds = Math.max(1, Math.ceil((failures.resetAt - now) / 1000));
      return { retryAfterSeconds, inProgress: false };
    }
    if (spent + held.count > limit) {
      await release();
      // Each attempt in progress settles within moments, one way or the other.
      return { retryAfterSeconds: 1, inProgress: true };
    }
    let settled = false;
    return {
      async settle(failed) {
        if (settled) return;
        settled = true;
        await serialize(async () => {
          try {
            if (failed) await ledger.record(key, clock.now());
          } finally {
            await release();
          }
        });
      },
    };
  }
}

import type { Deps } from "../../deps";
import { AppError } from "../../platform/errors";
import {
  createSharedFailureBudget,
  type FailureLedger,
} from "../../platform/shared/failure-budget";
import { createOutageReport } from "../../platform/shared/outage";
import { createInFlight, type FailureBudget, fromSharedBudget } from "./failure-budget";

export const FAILURE_WINDOW_MS = 10 * 60_000;
export const BAN_DURATION_MS = 15 * 60_000;
const BAN_REASON = "Too many failed sign-in attempts";

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
 * When the address's ban ends, or null. An expired ban no longer applies, purged or not. `ip` is
 * a clientKey, as is every address that bans and failures are stored under.
 */
async function bannedUntil(deps: Deps, ip: string): Promise<number | null> {
  const ban = await deps.sql.get<{ expires_at: number }>(
    "SELECT expires_at FROM bans WHERE ip = ? AND expires_at > ?",
    [ip, deps.clock.now()],
  );
  return ban?.expires_at ?? null;
}

/** Throws Banned while the address is banned. */
export async function assertNotBanned(deps: Deps, ip: string): Promise<void> {
  const until = await bannedUntil(deps, ip);
  if (until !== null) throw new Banned(Math.max(1, Math.ceil((until - deps.clock.now()) / 1000)));
}

/**
 * The ban threshold as a failure budget per address. Failures are stored (so a ban and the
 * failures leading to one survive a restart); attempts in progress are held in memory, as they
 * end with the process anyway. The count is read first; checking it and reserving then happen
 * in one synchronous step, so no two attempts can take the last place.
 *
 * With several instances (deps.shared) the attempts in progress are held in the shared store,
 * so the threshold holds across them as within one.
 */
export function createBanBudget(deps: Deps): FailureBudget {
  const limit = deps.config.authBanThreshold;
  const counters = deps.shared.counters;
  if (counters) {
    const budget = createSharedFailureBudget({
      limit,
      counters,
      ledger: banLedger(deps),
      clock: deps.clock,
      holdPrefix: "ban-hold:",
      serialize: deps.shared.serialize,
    });
    return fromSharedBudget(
      budget,
      createOutageReport(deps.log, deps.clock, "failure budget store unreachable"),
    );
  }
  const inFlight = createInFlight();
  return {
    limit,
    async reserve(ip) {
      const failures = await recentFailures(deps, ip);
      if (failures >= limit) {
        // Only after the threshold was lowered: the failures have to age out of the window.
        return { retryAfterSeconds: FAILURE_WINDOW_MS / 1000, inProgress: false };
      }
      if (failures + inFlight.count(ip) >= limit) return { retryAfterSeconds: 1, inProgress: true };
      return inFlight.hold(ip, () =>
        recordAuthFailure(deps, ip).catch((error: unknown) => {
          deps.log.error("recording a failed sign-in failed", {
            error: error instanceof Error ? error.message : String(error),
          });
        }),
      );
    },
  };
}

/** The failures of the ban threshold, as the shared budget reads and records them. */
function banLedger(deps: Deps): FailureLedger {
  return {
    async current(ip, now) {
      const count = await countFailuresSince(deps, ip, now - FAILURE_WINDOW_MS);
      // Refused once spent until failures age out: at most the window, as in memory.
      return count > 0 ? { count, resetAt: now + FAILURE_WINDOW_MS } : null;
    },
    async record(ip) {
      await recordAuthFailure(deps, ip);
    },
  };
}

async function recentFailures(deps: Deps, ip: string): Promise<number> {
  return await countFailuresSince(deps, ip, deps.clock.now() - FAILURE_WINDOW_MS);
}

async function countFailuresSince(deps: Deps, ip: string, since: number): Promise<number> {
  const row = await deps.sql.get<{ n: number }>(
    "SELECT count(*) AS n FROM auth_failures WHERE ip = ? AND created_at > ?",
    [ip, since],
  );
  return row?.n ?? 0;
}

/**
 * Remembers one failed attempt; the one that reaches the threshold within the window bans the
 * address. Returns whether it did. The address's older failures are dropped as we go, so the
 * table stays small without waiting for the scheduler.
 */
async function recordAuthFailure(deps: Deps, ip: string): Promise<boolean> {
  const threshold = deps.config.authBanThreshold;
  if (threshold === 0) return false;
  const now = deps.clock.now();
  const since = now - FAILURE_WINDOW_MS;
  const banned = await deps.sql.transaction(async () => {
    await deps.sql.run("INSERT INTO auth_failures (ip, created_at) VALUES (?, ?)", [ip, now]);
    await deps.sql.run("DELETE FROM auth_failures WHERE ip = ? AND created_at <= ?", [ip, since]);
    const failures = await countFailuresSince(deps, ip, since);
    if (failures < threshold) return false;
    await deps.sql.run(
      `INSERT INTO bans (ip, reason, created_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ip) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at,
         expires_at = excluded.expires_at`,
      [ip, BAN_REASON, now, now + BAN_DURATION_MS],
    );
    // A fresh start once the ban ends, rather than a re-ban on the next failure.
    await deps.sql.run("DELETE FROM auth_failures WHERE ip = ?", [ip]);
    return true;
  });
  if (banned) deps.log.warn("address banned after failed sign-ins", { ip, failures: threshold });
  return banned;
}

import { and, count, eq, gt, lte } from "drizzle-orm";
import type { Deps } from "../../deps";
import { authFailures, bans } from "../../platform/db/tables";
import { AppError } from "../../platform/errors";
import { createInFlight, type FailureBudget } from "./failure-budget";

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
  const ban = await deps.db
    .select({ expiresAt: bans.expiresAt })
    .from(bans)
    .where(and(eq(bans.ip, ip), gt(bans.expiresAt, deps.clock.now())))
    .get();
  return ban?.expiresAt ?? null;
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
 */
export function createBanBudget(deps: Deps): FailureBudget {
  const limit = deps.config.authBanThreshold;
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

async function recentFailures(deps: Deps, ip: string): Promise<number> {
  const since = deps.clock.now() - FAILURE_WINDOW_MS;
  return (
    (
      await deps.db
        .select({ n: count() })
        .from(authFailures)
        .where(and(eq(authFailures.ip, ip), gt(authFailures.createdAt, since)))
        .get()
    )?.n ?? 0
  );
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
    await deps.db.insert(authFailures).values({ ip, createdAt: now }).run();
    await deps.db
      .delete(authFailures)
      .where(and(eq(authFailures.ip, ip), lte(authFailures.createdAt, since)))
      .run();
    const failures =
      (
        await deps.db
          .select({ n: count() })
          .from(authFailures)
          .where(and(eq(authFailures.ip, ip), gt(authFailures.createdAt, since)))
          .get()
      )?.n ?? 0;
    if (failures < threshold) return false;
    const ban = { reason: BAN_REASON, createdAt: now, expiresAt: now + BAN_DURATION_MS };
    await deps.db
      .insert(bans)
      .values({ ip, ...ban })
      .onConflictDoUpdate({ target: bans.ip, set: ban })
      .run();
    // A fresh start once the ban ends, rather than a re-ban on the next failure.
    await deps.db.delete(authFailures).where(eq(authFailures.ip, ip)).run();
    return true;
  });
  if (banned) deps.log.warn("address banned after failed sign-ins", { ip, failures: threshold });
  return banned;
}

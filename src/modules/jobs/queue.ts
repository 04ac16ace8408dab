import type { Clock } from "../../platform/clock";
import type { Db, Tx } from "../../platform/db/client";
import { jobs } from "../../platform/db/tables";

/** What enqueueing needs: a clock, and optionally the worker to wake once the caller commits. */
export interface EnqueueContext {
  clock: Clock;
  jobs?: { kick(): void };
}

export interface EnqueueOptions {
  /** Delay before the first attempt, in ms (default 0). */
  delayMs?: number;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Records a job inside the caller's synchronous transaction, so the job exists exactly when the
 * change that caused it does (`tx` may be the database itself when the caller's transaction was
 * begun on bun:sqlite directly: it is the same connection). The worker is woken on a later tick: transactions on bun:sqlite are
 * synchronous, so by then the caller has committed (or rolled back, leaving nothing to run).
 */
export function enqueueJob(
  tx: Tx | Db,
  context: EnqueueContext | Clock,
  type: string,
  payload: unknown,
  options: EnqueueOptions = {},
): number {
  const clock = "clock" in context ? context.clock : context;
  const now = clock.now();
  const row = tx
    .insert(jobs)
    .values({
      type,
      payload: JSON.stringify(payload),
      status: "pending",
      attempts: 0,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      runAt: now + (options.delayMs ?? 0),
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: jobs.id })
    .get();
  if ("clock" in context) context.jobs?.kick();
  return row.id;
}

import type { Clock } from "../../platform/clock";
import type { Db } from "../../platform/db/orm";
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
 * Records a job inside the caller's transaction, so the job exists exactly when the change that
 * caused it does. The worker is woken on a later tick; if the caller's transaction is still
 * open then, the worker's claim waits for it to end (one transaction at a time), and a rollback
 * leaves nothing to run.
 */
export async function enqueueJob(
  tx: Db,
  context: EnqueueContext | Clock,
  type: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<number> {
  const clock = "clock" in context ? context.clock : context;
  const now = clock.now();
  const row = await tx
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

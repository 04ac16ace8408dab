import type { Clock } from "../../platform/clock";
import type { Sql } from "../../platform/db/sql";

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
  sql: Sql,
  context: EnqueueContext | Clock,
  type: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<number> {
  const clock = "clock" in context ? context.clock : context;
  const now = clock.now();
  const row = await sql.get<{ id: number }>(
    `INSERT INTO jobs (type, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
     VALUES (?, ?, 'pending', 0, ?, ?, ?, ?) RETURNING id`,
    [
      type,
      JSON.stringify(payload),
      options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      now + (options.delayMs ?? 0),
      now,
      now,
    ],
  );
  if (!row) throw new Error("INSERT … RETURNING gave no row");
  if ("clock" in context) context.jobs?.kick();
  return row.id;
}

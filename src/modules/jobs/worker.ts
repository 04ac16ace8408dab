import { AsyncLocalStorage } from "node:async_hooks";
import type { Clock } from "../../platform/clock";
import type { Sql } from "../../platform/db/sql";
import type { JobRow } from "../../platform/db/tables";
import type { Logger } from "../../platform/logging";
import type { JobHandlers } from "./handlers";
import {
  type JobOutcome,
  markJobsRunning,
  releaseJobs,
  requeueRunningJobs,
  selectDueJobs,
  settleJob,
} from "./rows";

export interface JobWorkerOptions {
  sql: Sql;
  clock: Clock;
  log: Logger;
  handlers: JobHandlers;
  pollIntervalMs?: number;
  batchSize?: number;
  /** Retry n waits min(cap, base × 2^n) after the n-th failed attempt. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A job still running after this long counts as a failed attempt. */
  jobTimeoutMs?: number;
  /** How long stop() waits for the job in flight before giving up on it. */
  stopGraceMs?: number;
}

export interface JobWorker {
  /** Requeues jobs a crash left running, then polls for due jobs until stop(). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs due jobs soon (a no-op unless started); called after a transaction enqueues one. */
  kick(): void;
  /** Runs every job that is due now, to completion; returns how many ran. */
  runDueJobs(): Promise<number>;
  /** Puts `running` jobs back to `pending`; returns how many. */
  recoverInterrupted(): Promise<number>;
}

const MAX_ERROR_LENGTH = 500;

export function createJobWorker(options: JobWorkerOptions): JobWorker {
  const { sql, clock, log, handlers } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 10;
  const backoffBaseMs = options.backoffBaseMs ?? 15_000;
  const backoffCapMs = options.backoffCapMs ?? 15 * 60_000;
  const jobTimeoutMs = options.jobTimeoutMs ?? 60_000;
  const stopGraceMs = options.stopGraceMs ?? 10_000;

  let started = false;
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let kickPending = false;
  let current: Promise<number> | null = null;
  let again = false;
  // Kicks come from inside the transaction that enqueued a job, and a timer runs in the async
  // context it was set in: a run started there would take part in that transaction (claiming
  // and running its job before it commits, even if it then rolls back) or use its connection
  // after it ended. Runs happen in the worker's own context instead, where the claim waits for
  // the transaction to end like any other.
  const inOwnContext = AsyncLocalStorage.snapshot();

  const claimDue = async (): Promise<JobRow[]> => {
    const now = clock.now();
    return await sql.transaction(async () => {
      const due = await selectDueJobs(sql, now, batchSize);
      if (due.length === 0) return [];
      await markJobsRunning(
        sql,
        due.map((job) => job.id),
        now,
      );
      return due.map((job) => ({ ...job, status: "running" as const, attempts: job.attempts + 1 }));
    });
  };

  /** Hands claimed jobs that were not started back to the queue, as if never claimed. */
  const release = async (unstarted: JobRow[]) => {
    if (unstarted.length === 0) return;
    await releaseJobs(
      sql,
      unstarted.map((job) => job.id),
      clock.now(),
    );
  };

  const settle = async (job: JobRow, outcome: JobOutcome) => {
    await settleJob(sql, job.id, outcome, clock.now());
  };

  const redacted = (job: JobRow): string => {
    const redact = handlers[job.type]?.redact;
    if (!redact) return job.payload;
    try {
      return JSON.stringify(redact(JSON.parse(job.payload)));
    } catch {
      return "{}";
    }
  };

  const runOne = async (job: JobRow): Promise<void> => {
    const handler = handlers[job.type];
    const fields = { job_id: job.id, job_type: job.type, attempt: job.attempts };
    try {
      if (!handler) throw new PermanentJobError(`No handler for job type "${job.type}"`);
      // A payload that cannot be read now never will be: retrying it only delays the failure.
      const payload = parsePayload(job.payload);
      if (handler.accepts && !handler.accepts(payload)) {
        throw new PermanentJobError(`Invalid payload for job type "${job.type}"`);
      }
      await withTimeout(handler.run(payload), jobTimeoutMs);
      await settle(job, { status: "done", lastError: null, payload: redacted(job) });
      log.info("job done", fields);
    } catch (error) {
      const lastError = describeError(error);
      if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
        await settle(job, { status: "failed", lastError, payload: redacted(job) });
        log.error("job failed", { ...fields, error: lastError });
      } else {
        const delay = Math.min(backoffCapMs, backoffBaseMs * 2 ** job.attempts);
        await settle(job, { status: "pending", lastError, runAt: clock.now() + delay });
        log.warn("job attempt failed; will retry", {
          ...fields,
          error: lastError,
          retry_in_ms: delay,
        });
      }
    }
  };

  const drain = async (): Promise<number> => {
    let total = 0;
    do {
      again = false;
      for (;;) {
        if (stopped) return total;
        const batch = await claimDue();
        if (batch.length === 0) break;
        for (const [index, job] of batch.entries()) {
          // Checked before every job: after stop() the database is about to close.
          if (stopped) {
            await release(batch.slice(index));
            return total;
          }
          await runOne(job);
          total += 1;
        }
      }
    } while (again);
    return total;
  };

  const runDueJobs = (): Promise<number> => {
    // One drain at a time: a call during a drain makes it look once more before finishing.
    if (current) {
      again = true;
      return current;
    }
    current = drain().finally(() => {
      current = null;
    });
    return current;
  };

  const runInBackground = () => {
    runDueJobs().catch((error) => log.error("job worker error", { error: describeError(error) }));
  };

  const recoverInterrupted = async (): Promise<number> => {
    const recovered = await requeueRunningJobs(sql, clock.now());
    if (recovered > 0) log.warn("requeued jobs interrupted by a restart", { jobs: recovered });
    return recovered;
  };

  return {
    async start() {
      if (started) return;
      started = true;
      await recoverInterrupted();
      timer = setInterval(runInBackground, pollIntervalMs);
      timer.unref?.();
      runInBackground();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (!current) return;
      // The drain checks `stopped` before each job, so it ends once the job in flight settles.
      let grace: ReturnType<typeof setTimeout> | undefined;
      const finished = await Promise.race([
        current.then(
          () => true,
          () => true,
        ),
        new Promise<false>((resolve) => {
          grace = setTimeout(() => resolve(false), stopGraceMs);
        }),
      ]);
      clearTimeout(grace);
      if (!finished) log.warn("a job was still running at stop; it runs again at next start");
    },
    kick() {
      if (!started || stopped || kickPending) return;
      kickPending = true;
      setTimeout(
        () =>
          inOwnContext(() => {
            kickPending = false;
            runInBackground();
          }),
        0,
      );
    },
    runDueJobs,
    recoverInterrupted,
  };
}

/** A failure that retrying cannot fix. */
export class PermanentJobError extends Error {}

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    throw new PermanentJobError("Payload is not valid JSON");
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timeout: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timeout = setTimeout(() => reject(new Error(`Timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timeout);
  }
}

/**
 * The message kept in last_error and the log: no stack, bounded, with URL credentials and
 * anything shaped like a one-time code removed, since admins can read it.
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\/\/[^/\s@]+@/g, "//***@")
    .replace(/\b\d{6}\b/g, "******")
    .slice(0, MAX_ERROR_LENGTH);
}

import { forClaim } from "../../platform/db/dialect";
import type { Sql, SqlValue } from "../../platform/db/sql";
import type { JobRow, JobStatus } from "../../platform/db/tables";

/** SQL for the job queue, on `Sql`; rows come back in drizzle's `JobRow` shape. */

interface StoredJob {
  id: number;
  type: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS =
  "id, type, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at";

function toJobRow(row: StoredJob): JobRow {
  return {
    id: row.id,
    type: row.type,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `?, ?, …` for a list of ids (a batch is small, so one statement per length is fine). */
function placeholders(ids: readonly number[]): string {
  return ids.map(() => "?").join(", ");
}

/** Pending jobs due by `now`, oldest first, claimed for the caller's transaction. */
export async function selectDueJobs(sql: Sql, now: number, limit: number): Promise<JobRow[]> {
  const rows = await sql.all<StoredJob>(
    `SELECT ${COLUMNS} FROM jobs WHERE status = 'pending' AND run_at <= ?
     ORDER BY run_at, id LIMIT ?${forClaim(sql)}`,
    [now, limit],
  );
  return rows.map(toJobRow);
}

/** Marks the jobs running and counts the attempt. */
export async function markJobsRunning(sql: Sql, ids: number[], now: number): Promise<void> {
  await sql.run(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ?
     WHERE id IN (${placeholders(ids)})`,
    [now, ...ids],
  );
}

/** Hands running jobs back to the queue with their attempt uncounted. */
export async function releaseJobs(sql: Sql, ids: number[], now: number): Promise<void> {
  await sql.run(
    `UPDATE jobs SET status = 'pending', attempts = attempts - 1, updated_at = ?
     WHERE status = 'running' AND id IN (${placeholders(ids)})`,
    [now, ...ids],
  );
}

export interface JobOutcome {
  status: JobStatus;
  lastError: string | null;
  /** Stored in place of the payload (redacted once the job is finished). */
  payload?: string;
  runAt?: number;
}

export async function settleJob(
  sql: Sql,
  id: number,
  outcome: JobOutcome,
  now: number,
): Promise<void> {
  await sql.run(
    `UPDATE jobs SET status = ?, last_error = ?, payload = coalesce(?, payload),
       run_at = coalesce(?, run_at), updated_at = ?
     WHERE id = ?`,
    [outcome.status, outcome.lastError, outcome.payload ?? null, outcome.runAt ?? null, now, id],
  );
}

/** Puts every running job back to pending; returns how many. */
export async function requeueRunningJobs(sql: Sql, now: number): Promise<number> {
  const { changes } = await sql.run(
    "UPDATE jobs SET status = 'pending', updated_at = ? WHERE status = 'running'",
    [now],
  );
  return changes;
}

/** A page of jobs, newest first, optionally of one status. */
export async function selectJobsPage(
  sql: Sql,
  status: JobStatus | undefined,
  limit: number,
  offset: number,
): Promise<{ rows: JobRow[]; total: number }> {
  const where = status ? "WHERE status = ?" : "";
  const params: SqlValue[] = status ? [status] : [];
  const total =
    (await sql.get<{ n: number }>(`SELECT count(*) AS n FROM jobs ${where}`, params))?.n ?? 0;
  const rows = await sql.all<StoredJob>(
    `SELECT ${COLUMNS} FROM jobs ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...params, limit, offset],
  );
  return { rows: rows.map(toJobRow), total };
}

import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import type { JobRow, JobStatus } from "../../platform/db/tables";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { selectJobsPage } from "./rows";

export interface ListJobsInput {
  status?: JobStatus;
  limit?: number;
  offset?: number;
}

/** Jobs newest first, optionally of one status (admins look for `failed` ones). */
export async function listJobs({ deps }: ActorContext, input: ListJobsInput) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const { rows, total } = await selectJobsPage(deps.sql, input.status, limit, offset);
  return { items: rows.map(presentJob), total, limit, offset };
}

function presentJob(job: JobRow) {
  const finished = job.status === "done" || job.status === "failed";
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    run_at: toIso(job.runAt),
    last_error: job.lastError,
    created_at: toIso(job.createdAt),
    updated_at: toIso(job.updatedAt),
    finished_at: finished ? toIso(job.updatedAt) : null,
  };
}

import { t } from "elysia";
import { JOB_STATUSES } from "../../platform/db/tables/jobs";
import { PageQueryFields } from "../../platform/http/pagination";
import { component, IsoTimestamp, NullableIsoTimestamp } from "../../platform/http/schemas";

const JobStatus = t.Union(
  [t.Literal("pending"), t.Literal("running"), t.Literal("done"), t.Literal("failed")],
  { error: `Must be one of ${JOB_STATUSES.join(", ")}` },
);

export const ListJobsQuery = t.Object(
  {
    status: t.Optional(JobStatus),
    ...PageQueryFields,
  },
  { description: "Unknown query parameters are refused (422), so typos do not go unnoticed" },
);

export const JobResponse = component(
  "Job",
  t.Object(
    {
      id: t.Integer(),
      type: t.String({ examples: ["email.send"] }),
      status: JobStatus,
      attempts: t.Integer(),
      max_attempts: t.Integer(),
      run_at: IsoTimestamp,
      last_error: t.Union([t.String(), t.Null()]),
      created_at: IsoTimestamp,
      updated_at: IsoTimestamp,
      finished_at: NullableIsoTimestamp,
    },
    { description: "A background job. Its payload is not shown: it may hold one-time codes." },
  ),
);

import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { JOB_STATUSES } from "../tables/jobs";

/** Mirrors tables/jobs.ts. */
export const jobs = pgTable(
  "jobs",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    type: text("type").notNull(),
    /** JSON. */
    payload: text("payload").notNull(),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    runAt: bigint("run_at", { mode: "number" }).notNull(),
    lastError: text("last_error"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
  },
  (table) => [index("jobs_status_run_at_idx").on(table.status, table.runAt)],
);

// Embeds the generated migrations in the binary. When drizzle-kit adds a migration, import its
// SQL here too; test/db-migrations.test.ts fails until the journal and this map agree.
import init from "./0000_init.sql" with { type: "text" };
import tasksFts from "./0001_tasks_fts.sql" with { type: "text" };
import accountsJobsIdempotency from "./0002_accounts_jobs_idempotency.sql" with { type: "text" };
import tasksFtsVisibility from "./0003_tasks_fts_visibility.sql" with { type: "text" };
import boards from "./0004_boards.sql" with { type: "text" };
import boardsFts from "./0005_boards_fts.sql" with { type: "text" };
import events from "./0006_events.sql" with { type: "text" };
import notifications from "./0007_notifications.sql" with { type: "text" };
import sharedCounters from "./0008_shared_counters.sql" with { type: "text" };
import journal from "./meta/_journal.json";

export const migrationJournal: { entries: { idx: number; when: number; tag: string }[] } = journal;

export const migrationSql: Readonly<Record<string, string>> = {
  "0000_init": init,
  "0001_tasks_fts": tasksFts,
  "0002_accounts_jobs_idempotency": accountsJobsIdempotency,
  "0003_tasks_fts_visibility": tasksFtsVisibility,
  "0004_boards": boards,
  "0005_boards_fts": boardsFts,
  "0006_events": events,
  "0007_notifications": notifications,
  "0008_shared_counters": sharedCounters,
};

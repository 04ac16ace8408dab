// Embeds the generated PostgreSQL migrations in the binary, as ../index.ts does the SQLite ones.
// When `bun run db:generate:pg` adds a migration, import its SQL here too;
// test/postgres-migrations.test.ts fails until the journal and this map agree.
import searchText from "./0000_search_text.sql" with { type: "text" };
import schema from "./0001_schema.sql" with { type: "text" };
import eventLogRow from "./0002_event_log_row.sql" with { type: "text" };
import sharedCounters from "./0003_shared_counters.sql" with { type: "text" };
import journal from "./meta/_journal.json";

export const pgMigrationJournal: { entries: { idx: number; when: number; tag: string }[] } =
  journal;

export const pgMigrationSql: Readonly<Record<string, string>> = {
  "0000_search_text": searchText,
  "0001_schema": schema,
  "0002_event_log_row": eventLogRow,
  "0003_shared_counters": sharedCounters,
};

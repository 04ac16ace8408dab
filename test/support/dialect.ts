import type { Database } from "bun:sqlite";

/**
 * Which database the plain suite runs on: PostgreSQL when TEST_DATABASE_URL is set (`bun run
 * test:pg`), else SQLite. Tests about SQLite by nature (pragmas, FTS5, query plans, files) say
 * so in a line and run on SQLite in both suites, or skip themselves on PostgreSQL.
 */
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** The raw SQLite connection of a test's deps, for tests about SQLite by nature. */
export function sqliteOf(deps: { sqlite: Database | null }): Database {
  if (deps.sqlite === null) throw new Error("This test reaches into SQLite; skip it on PostgreSQL");
  return deps.sqlite;
}

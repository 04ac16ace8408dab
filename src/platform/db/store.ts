import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import { openDatabase } from "./client";
import { type MigrationRun, migrateDatabase } from "./migrate";
import type { Sql } from "./sql";
import { createSqliteSql } from "./sqlite-sql";

/**
 * The database the configuration names, opened: PostgreSQL when DATABASE_URL is set, else the
 * SQLite file at DATABASE_PATH. Features reach it through `sql` only; `sqlite` is the raw
 * connection for what only SQLite has (backups, pragmas, FTS5 upkeep) and is null on PostgreSQL.
 * The PostgreSQL modules are loaded only when DATABASE_URL is set (test:pg runs them).
 */
export interface OpenedStore {
  sql: Sql;
  sqlite: Database | null;
}

/** Opens the configured database; `sqlite` replaces the file (tests hand in a fresh copy). */
export async function openStore(config: Config, sqlite?: Database): Promise<OpenedStore> {
  if (sqlite === undefined && config.databaseUrl !== null) {
    const { createPostgresSql } = await import("./postgres-sql");
    const sql = createPostgresSql(config.databaseUrl, { max: config.databasePoolMax });
    return { sql, sqlite: null };
  }
  const connection = sqlite ?? openDatabase(config.databasePath);
  return { sql: createSqliteSql(connection), sqlite: connection };
}

/**
 * Applies the pending migrations of the store's dialect. SQLite writes a safety copy of a file
 * first; PostgreSQL migrates under an advisory lock, so instances starting together migrate once
 * (and an operator backs a server up with pg_dump before upgrading).
 */
export async function migrateStore(
  store: OpenedStore & { config: Pick<Config, "databasePath" | "databaseUrl"> },
): Promise<MigrationRun> {
  if (store.sqlite !== null) return migrateDatabase(store.sqlite, store.config.databasePath);
  const { migratePostgres } = await import("./postgres-migrate");
  const applied = await migratePostgres(String(store.config.databaseUrl));
  return { applied, safetyCopy: null };
}

/** Where the data lives, for logs and messages: the file, or the server with no password. */
export function describeStore(config: Pick<Config, "databasePath" | "databaseUrl">): string {
  if (config.databaseUrl === null) return config.databasePath;
  const url = new URL(config.databaseUrl);
  return `postgres://${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

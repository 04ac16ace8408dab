import { Database } from "bun:sqlite";
import { databasePathError, prepareDatabaseFile } from "./files";

export const IN_MEMORY = ":memory:";

/**
 * Opens (creating if needed) the SQLite file and applies the pragmas every connection needs.
 * A path that cannot hold a database fails with a ConfigError naming DATABASE_PATH.
 */
export function openDatabase(path: string): Database {
  if (path === IN_MEMORY) {
    const sqlite = new Database(path, { strict: true });
    applyPragmas(sqlite, false);
    return sqlite;
  }
  prepareDatabaseFile(path);
  let sqlite: Database | undefined;
  try {
    sqlite = new Database(path, { create: true, strict: true });
    applyPragmas(sqlite, true);
    return sqlite;
  } catch (error) {
    sqlite?.close(false);
    throw databasePathError(path, error);
  }
}

export function applyPragmas(sqlite: Database, onDisk: boolean): void {
  if (onDisk) sqlite.run("PRAGMA journal_mode = WAL");
  // NORMAL under WAL loses nothing on a process crash; see docs/decisions/002-sqlite-durability.md.
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  sqlite.run("PRAGMA busy_timeout = 5000");
}

/**
 * bun:sqlite keeps the 20 most recently used statements by default; the app runs more distinct
 * ones than that, and re-preparing those pushed out
 * took several percent of a busy server's CPU. The cache stays bounded (least recently used go).
 */
Database.MAX_QUERY_CACHE_SIZE = 500;

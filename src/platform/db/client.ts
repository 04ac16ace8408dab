import { Database } from "bun:sqlite";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { databasePathError, prepareDatabaseFile } from "./files";
import * as tables from "./tables";

export type Db = BunSQLiteDatabase<typeof tables>;
/** The handle a synchronous drizzle transaction callback receives. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

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
 * ones than that (drizzle's included, see withStatementCache), and re-preparing those pushed out
 * took several percent of a busy server's CPU. The cache stays bounded (least recently used go).
 */
Database.MAX_QUERY_CACHE_SIZE = 500;

export function createDb(sqlite: Database): Db {
  return drizzle({ client: withStatementCache(sqlite), schema: tables });
}

/**
 * drizzle compiles a new statement on every query (and never finalizes it). bun:sqlite's
 * `query()` keeps compiled statements by their SQL text, so drizzle is handed a view of the
 * database whose `prepare` is `query`. Statements run synchronously, so sharing one is safe.
 */
function withStatementCache(sqlite: Database): Database {
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === "prepare") return (text: string) => target.query(text);
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

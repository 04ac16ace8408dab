import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import * as tables from "./tables";

export type Db = BunSQLiteDatabase<typeof tables>;
/** The handle a synchronous drizzle transaction callback receives. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export const IN_MEMORY = ":memory:";

/** Opens (creating if needed) the SQLite file and applies the pragmas every connection needs. */
export function openDatabase(path: string): Database {
  if (path !== IN_MEMORY) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { create: true, strict: true });
  applyPragmas(sqlite, path !== IN_MEMORY);
  return sqlite;
}

export function applyPragmas(sqlite: Database, onDisk: boolean): void {
  if (onDisk) sqlite.run("PRAGMA journal_mode = WAL");
  // NORMAL under WAL loses nothing on a process crash; see docs/decisions/002-sqlite-durability.md.
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  sqlite.run("PRAGMA busy_timeout = 5000");
}

export function createDb(sqlite: Database): Db {
  return drizzle({ client: sqlite, schema: tables });
}

import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../platform/config";
import { IN_MEMORY } from "../platform/db/client";
import { replaceWithDatabaseCopy, writeSafetyCopy } from "../platform/db/copies";
import { prepareDatabaseFolder } from "../platform/db/files";
import { embeddedMigrations } from "../platform/db/migrate";
import { CliError, type Output } from "./output";
import { refuseRestoreOnPostgres } from "./postgres-tools";

export const RESTORE_USAGE = "Usage: kanbun restore FILE";

/**
 * `kanbun restore FILE`: checks that FILE is a sound Kanbun database, keeps a copy of the current
 * database, and puts a copy of FILE in place in one rename, so the database path never holds a
 * half-written file. Refuses while anything (a server) has the database open.
 */
export function restoreCommand(config: Config, out: Output, source: string | undefined): void {
  refuseRestoreOnPostgres(config, source);
  if (!source) throw new CliError(RESTORE_USAGE);
  if (config.databasePath === IN_MEMORY) {
    throw new CliError("DATABASE_PATH is :memory:; there is no database file to restore into");
  }
  const from = resolve(source);
  const target = resolve(config.databasePath);
  if (from === target) throw new CliError(`${from} is the database itself; give a backup file`);
  if (!existsSync(from)) throw new CliError(`${from} does not exist`);

  const live = prepareDatabaseFolder(target) ? lockDatabase(target) : null;
  try {
    out.info(`${from} is sound: ${inspectBackup(from)}.`);
    if (live) {
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const kept = writeSafetyCopy(live, target, `restore-${stamp}`);
      out.info(`Copied the current database to ${kept}.`);
      dropJournal(live, target);
    }
    const backup = new Database(from, { readonly: true, strict: true });
    try {
      replaceWithDatabaseCopy(backup, target);
    } finally {
      backup.close(false);
    }
  } finally {
    live?.close(false);
  }
  out.info(`Restored ${from} to ${target}. Start the server: it applies any newer migrations.`);
}

/** Integrity and identity of a backup, summed up in a few words; CliError when it is unfit. */
function inspectBackup(file: string): string {
  let sqlite: Database | undefined;
  try {
    sqlite = new Database(file, { readonly: true, strict: true });
    const [first] = sqlite
      .query<{ integrity_check: string }, []>("PRAGMA integrity_check")
      .all()
      .map((row) => row.integrity_check);
    if (first !== "ok") throw new CliError(`${file} is damaged: ${first}`);
    const tables = new Set(
      sqlite
        .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => row.name),
    );
    if (!tables.has("__drizzle_migrations") || !tables.has("users")) {
      throw new CliError(`${file} is not a Kanbun database (it has no users or migrations table)`);
    }
    const { applied, newest } = sqlite
      .query<{ applied: number; newest: number | null }, []>(
        "SELECT count(*) AS applied, max(created_at) AS newest FROM __drizzle_migrations",
      )
      .get() ?? { applied: 0, newest: null };
    const known = embeddedMigrations();
    if (Number(newest ?? 0) > (known.at(-1)?.when ?? 0)) {
      throw new CliError(`${file} was written by a newer Kanbun; restore it with that version`);
    }
    const users = sqlite.query<{ n: number }, []>("SELECT count(*) AS n FROM users").get()?.n ?? 0;
    return `integrity ok, ${users} user(s), ${applied} of ${known.length} migrations applied`;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`${file} cannot be read as a database (${reason})`);
  } finally {
    sqlite?.close(false);
  }
}

/**
 * Takes the database's exclusive lock and keeps it until closed. A server holds a shared lock on
 * its database file for as long as it runs (SQLite's WAL mode), so the lock is refused then.
 */
function lockDatabase(file: string): Database {
  let sqlite: Database | undefined;
  try {
    sqlite = new Database(file, { strict: true });
    // Exclusive locking mode before the first read: SQLite then asks for the file's exclusive
    // lock and holds it until close, instead of sharing the database through the -shm file.
    sqlite.run("PRAGMA locking_mode = EXCLUSIVE");
    sqlite.run("BEGIN EXCLUSIVE");
    sqlite.run("COMMIT");
    return sqlite;
  } catch (error) {
    sqlite?.close(false);
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      throw new CliError(
        `${file} is in use: stop the server (and any other kanbun command) first, then restore`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `${file} cannot be opened (${reason}); move it away, then run restore again`,
    );
  }
}

/**
 * Leaves no -wal or -shm beside the database path: SQLite would replay an old write-ahead log
 * into the restored file. Folding the log in and leaving WAL mode deletes it under the lock.
 */
function dropJournal(live: Database, file: string): void {
  live.run("PRAGMA wal_checkpoint(TRUNCATE)");
  live.run("PRAGMA journal_mode = DELETE");
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
}

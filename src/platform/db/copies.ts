import type { Database } from "bun:sqlite";
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { createPrivateFile } from "./files";

/** How many safety copies (before a migration or a restore) stay beside the database. */
export const SAFETY_COPIES_KEPT = 3;

/**
 * Writes a consistent copy of the open database to `file`, which must not exist (EEXIST
 * otherwise). VACUUM INTO reads one snapshot, so the copy is safe to take while a server writes.
 * SQLite would create the file with its default mode (0644 less the umask); it writes into an
 * empty file instead, created owner-only, so the copy is never readable by others.
 */
export function writeDatabaseCopy(sqlite: Database, file: string): void {
  createPrivateFile(file, "wx");
  try {
    sqlite.query("VACUUM INTO ?").run(file);
    syncFile(file);
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
}

/** Puts a fresh copy at `file`, replacing any earlier one in one rename. */
export function replaceWithDatabaseCopy(sqlite: Database, file: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  rmSync(temp, { force: true });
  try {
    writeDatabaseCopy(sqlite, temp);
    renameSync(temp, file);
  } finally {
    // Gone after the rename; only a failed one leaves it.
    rmSync(temp, { force: true });
  }
  syncFolder(dirname(file));
}

/**
 * Writes `<database>.pre-<label>.bak` beside the database and keeps only the newest
 * SAFETY_COPIES_KEPT of them. Returns the copy's path.
 */
export function writeSafetyCopy(sqlite: Database, databasePath: string, label: string): string {
  const file = `${resolve(databasePath)}.pre-${label}.bak`;
  replaceWithDatabaseCopy(sqlite, file);
  for (const old of listSafetyCopies(databasePath).slice(SAFETY_COPIES_KEPT)) {
    rmSync(old, { force: true });
  }
  return file;
}

/** The safety copies beside a database, newest first. */
export function listSafetyCopies(databasePath: string): string[] {
  const file = resolve(databasePath);
  const folder = dirname(file);
  const prefix = `${basename(file)}.pre-`;
  return readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".bak"))
    .map((name) => {
      const path = join(folder, name);
      return { path, name, modified: statSync(path).mtimeMs };
    })
    .sort((a, b) => b.modified - a.modified || b.name.localeCompare(a.name))
    .map((entry) => entry.path);
}

export function syncFile(file: string): void {
  const fd = openSync(file, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename in `folder` durable. Not every platform can sync a folder; that is no error. */
export function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort.
  }
}

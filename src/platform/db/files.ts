import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  type Stats,
  statSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../config";

/** Database files and their copies hold password hashes and token hashes: owner-only. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Makes sure DATABASE_PATH can hold a database before SQLite sees it, so that a bad path fails
 * with a sentence naming the variable instead of SQLite's "unable to open database file".
 *
 * A new database file is created owner-only before SQLite writes a byte: SQLite gives the
 * `-wal` and `-shm` files it adds the permissions of the database file. New folders are
 * owner-only too.
 */
export function prepareDatabaseFile(path: string): void {
  const file = resolve(path);
  if (!prepareDatabaseFolder(file)) {
    attempt(
      () => createPrivateFile(file, "a"),
      (reason) => `cannot create ${file} (${reason})`,
    );
  }
  attempt(
    () => accessSync(file, constants.R_OK | constants.W_OK),
    (reason) => `${file} is read-only (${reason}); the server must write to it`,
  );
}

/**
 * The folder half of prepareDatabaseFile, for `restore`, which puts the file there itself:
 * DATABASE_PATH must not be a folder, and its folder is created (owner-only) if missing and
 * must be writable. Returns whether the database file exists.
 */
export function prepareDatabaseFolder(path: string): boolean {
  const file = resolve(path);
  const folder = dirname(file);
  const stats = statOrNull(file);
  if (stats?.isDirectory()) {
    throw pathProblem(
      `${file} is a folder; give the path of a database file, such as ${join(file, "kanbun.db")}`,
    );
  }
  if (!stats) {
    attempt(
      () => mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE }),
      (reason) => `cannot create the folder ${folder} (${reason})`,
    );
  }
  attempt(
    () => accessSync(folder, constants.W_OK),
    (reason) =>
      `the folder ${folder} is not writable (${reason}); the database keeps its -wal and -shm files beside it`,
  );
  return stats !== null;
}

/** Runs a file operation; its failure becomes one line naming DATABASE_PATH and the reason. */
function attempt(operation: () => unknown, problem: (reason: string) => string): void {
  try {
    operation();
  } catch (error) {
    throw pathProblem(problem(reasonOf(error)));
  }
}

/** What a database that SQLite itself refused becomes: one line naming DATABASE_PATH. */
export function databasePathError(path: string, error: unknown): ConfigError {
  const reason = error instanceof Error ? error.message : String(error);
  return pathProblem(`cannot open ${resolve(path)} as a database (${reason})`);
}

/**
 * Creates a file readable by its owner only, from its first byte. `flag` "wx" refuses an
 * existing file (the check and the creation are one step); "a" keeps an existing one.
 */
export function createPrivateFile(file: string, flag: "wx" | "a"): void {
  closeSync(openSync(file, flag, PRIVATE_FILE_MODE));
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function pathProblem(problem: string): ConfigError {
  return new ConfigError([`DATABASE_PATH: ${problem}`]);
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "a part of the path is a file, not a folder",
};

/** A short reason for an operator: "permission denied" rather than a syscall dump. */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

import type { Config } from "../platform/config";
import { CliError } from "./output";

/**
 * `kanbun backup` and `kanbun restore` copy the SQLite file. On PostgreSQL the server's own tools
 * do that job better (consistent dumps of a live server, roles, parallel restore): these refusals
 * say which command to run instead, with the server named and no password shown.
 */

/** Refuses `backup` on PostgreSQL with the pg_dump command that does it. */
export function refuseBackupOnPostgres(config: Config, target: string | undefined): void {
  if (config.databaseUrl === null) return;
  const file = target ?? "kanbun.dump";
  throw new CliError(
    `backup copies the SQLite file; on PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=${quoted(file)} "${withoutPasswordUrl(config.databaseUrl)}"`,
  );
}

/** Refuses `restore` on PostgreSQL with the pg_restore command that does it. */
export function refuseRestoreOnPostgres(config: Config, source: string | undefined): void {
  if (config.databaseUrl === null) return;
  const file = source ?? "kanbun.dump";
  throw new CliError(
    `restore replaces the SQLite file; on PostgreSQL use pg_restore (or psql for a plain SQL dump), e.g. pg_restore --clean --if-exists --dbname="${withoutPasswordUrl(config.databaseUrl)}" ${quoted(file)}`,
  );
}

/** The URL as given, with any password left out: the tool asks for it (or reads ~/.pgpass). */
function withoutPasswordUrl(raw: string): string {
  const url = new URL(raw);
  url.password = "";
  return url.toString();
}

function quoted(file: string): string {
  return /^[\w./-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`;
}

import type { Config } from "../platform/config";
import { IN_MEMORY } from "../platform/db/client";
import { openCopySource } from "../platform/db/copy-source";
import type { CopyReport } from "../platform/db/copy-to-postgres";
import {
  describePostgresUrl,
  type PostgresUrlError,
  parsePostgresUrl,
  redactPostgresUrl,
} from "../platform/db/postgres-url";
import { CliError, type Output } from "./output";

export const MIGRATE_TO_POSTGRES_USAGE = "Usage: kanbun migrate-to-postgres [--to postgres://…]";

/**
 * `kanbun migrate-to-postgres --to URL`: copies the SQLite database at DATABASE_PATH into an
 * empty PostgreSQL database in one consistent pass, verified by row counts. The target is --to,
 * or DATABASE_URL when --to is left out. Every refusal is one line, with nothing written.
 */
export async function migrateToPostgresCommand(
  config: Config,
  out: Output,
  target: { to?: string | undefined; databaseUrl?: string | undefined },
): Promise<void> {
  const [name, raw] =
    target.to !== undefined ? ["--to", target.to] : ["DATABASE_URL", target.databaseUrl];
  if (!raw) {
    throw new CliError(
      `${MIGRATE_TO_POSTGRES_USAGE}: give the PostgreSQL URL, or set DATABASE_URL`,
    );
  }
  const url = checkedUrl(name, raw);
  if (config.databasePath === IN_MEMORY) {
    throw new CliError("DATABASE_PATH is :memory:; there is no database file to copy");
  }
  // A CopyError's message is the one line run.ts prints for any failure.
  const source = openCopySource(config.databasePath);
  try {
    // The PostgreSQL side is loaded only when a copy runs; nothing else needs it.
    const { copyToPostgres } = await import("../platform/db/copy-to-postgres");
    const report = await copyToPostgres(source, url);
    for (const line of describeCopy(report, source.file, url)) out.info(line);
  } finally {
    source.close();
  }
}

function checkedUrl(name: string, raw: string): URL {
  try {
    return parsePostgresUrl(raw);
  } catch (error) {
    throw new CliError(`${name}: ${(error as PostgresUrlError).message}`);
  }
}

/** What the operator reads after a copy: rows per table, the total, the time, the next step. */
export function describeCopy(report: CopyReport, file: string, url: URL): string[] {
  const width = Math.max(5, ...report.tables.map((table) => table.name.length));
  const digits = String(report.total).length;
  const row = (name: string, rows: number) =>
    `  ${name.padEnd(width)}  ${String(rows).padStart(digits)}`;
  const seconds = (report.milliseconds / 1000).toFixed(report.milliseconds < 10_000 ? 2 : 1);
  const migrated = report.migrations.length
    ? `applied ${report.migrations.length} migration(s), then copied`
    : "copied";
  return [
    `Copied ${file} to PostgreSQL on ${describePostgresUrl(url)} (${migrated} in one transaction):`,
    ...report.tables.map((table) => row(table.name, table.rows)),
    row("total", report.total),
    `Row counts verified on both sides in ${seconds} s.`,
    `Next: stop the server on SQLite if it still runs, and start Kanbun with DATABASE_URL=${redactPostgresUrl(url)} (the URL given here). The SQLite file is unchanged: keep it as a backup.`,
  ];
}

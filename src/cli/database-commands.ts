import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../platform/config";
import { openDatabase } from "../platform/db/client";
import { migrate } from "../platform/db/migrate";
import { CliError, type Output } from "./output";

export function migrateCommand(config: Config, out: Output): void {
  const sqlite = openDatabase(config.databasePath);
  try {
    const applied = migrate(sqlite);
    out.info(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
  } finally {
    sqlite.close(false);
  }
}

/**
 * A consistent copy of the live database (VACUUM INTO reads one snapshot), safe to run while the
 * server is serving requests.
 */
export function backupCommand(config: Config, out: Output, target: string | undefined): void {
  if (!target) throw new CliError("Usage: kanbun backup FILE");
  const file = resolve(target);
  if (existsSync(file)) throw new CliError(`${file} already exists; choose a new file name`);
  const sqlite = openDatabase(config.databasePath);
  try {
    sqlite.query("VACUUM INTO ?").run(file);
    out.info(`Backup written to ${file}`);
  } finally {
    sqlite.close(false);
  }
}

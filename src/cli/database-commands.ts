import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Config } from "../platform/config";
import { IN_MEMORY, openDatabase } from "../platform/db/client";
import { writeDatabaseCopy } from "../platform/db/copies";
import { migrateStore, openStore } from "../platform/db/store";
import { CliError, type Output } from "./output";
import { refuseBackupOnPostgres } from "./postgres-tools";

export async function migrateCommand(config: Config, out: Output): Promise<void> {
  const store = await openStore(config);
  try {
    const { applied, safetyCopy } = await migrateStore({ ...store, config });
    if (safetyCopy) out.info(`Copied the database to ${safetyCopy} before migrating it.`);
    out.info(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
  } finally {
    await store.sql.close();
  }
}

/**
 * A consistent copy of the live database (VACUUM INTO reads one snapshot), safe to run while the
 * server is serving requests. The copy is owner-only from its first byte.
 */
export function backupCommand(config: Config, out: Output, target: string | undefined): void {
  refuseBackupOnPostgres(config, target);
  if (!target) throw new CliError("Usage: kanbun backup FILE");
  const file = resolve(target);
  if (existsSync(file)) throw new CliError(`${file} already exists; choose a new file name`);
  // Opening a missing database would create an empty one and "back up" nothing.
  if (config.databasePath === IN_MEMORY || !existsSync(config.databasePath)) {
    throw new CliError(`No database at ${config.databasePath} to back up`);
  }
  if (!existsSync(dirname(file))) throw new CliError(`Folder ${dirname(file)} does not exist`);
  const sqlite = openDatabase(config.databasePath);
  try {
    writeDatabaseCopy(sqlite, file);
    out.info(`Backup written to ${file}`);
  } catch (error) {
    throw new CliError(`Backup failed: ${error instanceof Error ? error.message : error}`);
  } finally {
    sqlite.close(false);
  }
}

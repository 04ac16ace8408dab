import type { Database } from "bun:sqlite";
import { migrationJournal, migrationSql } from "../../../drizzle";
import { IN_MEMORY } from "./client";
import { writeSafetyCopy } from "./copies";

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";

export interface Migration {
  tag: string;
  /** drizzle-kit's timestamp for the migration; also what the bookkeeping table records. */
  when: number;
  hash: string;
  statements: string[];
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface EmbeddedMigrations {
  journal: { entries: { when: number; tag: string }[] };
  sql: Readonly<Record<string, string>>;
}

/** The embedded SQLite migrations in journal order. */
export function embeddedMigrations(): Migration[] {
  return readMigrations({ journal: migrationJournal, sql: migrationSql });
}

/** One dialect's embedded migrations (drizzle-kit's journal and SQL files) in journal order. */
export function readMigrations(embedded: EmbeddedMigrations): Migration[] {
  return embedded.journal.entries.map((entry) => {
    const sql = embedded.sql[entry.tag];
    if (sql === undefined) throw new MigrationError(`Migration ${entry.tag} is not embedded`);
    return {
      tag: entry.tag,
      when: entry.when,
      hash: new Bun.CryptoHasher("sha256").update(sql).digest("hex"),
      statements: sql
        .split(STATEMENT_BREAKPOINT)
        .map((statement) => statement.trim())
        .filter(Boolean),
    };
  });
}

export interface MigrationRun {
  applied: string[];
  /** The copy written before migrating a database that already had a schema, if any. */
  safetyCopy: string | null;
}

/**
 * What `serve` and the commands run: applies pending migrations, first writing a consistent copy
 * (`<file>.pre-<first pending migration>.bak`) when the database already holds a schema, so an
 * upgrade that goes wrong can be undone with `kanbun restore`.
 */
export function migrateDatabase(
  sqlite: Database,
  databasePath: string,
  migrations = embeddedMigrations(),
): MigrationRun {
  let safetyCopy: string | null = null;
  const applied = migrate(sqlite, migrations, (pending) => {
    const first = pending[0];
    if (databasePath === IN_MEMORY || !first) return;
    try {
      safetyCopy = writeSafetyCopy(sqlite, databasePath, first.tag);
    } catch (error) {
      // No upgrade without a way back.
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(
        `Not migrating: the copy of the database before ${first.tag} could not be written (${reason})`,
        { cause: error },
      );
    }
  });
  return { applied, safetyCopy };
}

/**
 * Applies pending migrations, each in its own transaction, using drizzle's bookkeeping table so
 * drizzle-kit agrees about what has run. `beforeUpgrade` runs first when the database already
 * has migrations applied (not for a new, empty one).
 *
 * Foreign keys are switched off around the migrations (SQLite ignores that pragma inside a
 * transaction): drizzle-kit rebuilds tables by copy-drop-rename, and with foreign keys on, the
 * drop would cascade into child rows. Each migration is checked with foreign_key_check before
 * it commits, so a migration cannot leave dangling references behind.
 */
export function migrate(
  sqlite: Database,
  migrations = embeddedMigrations(),
  beforeUpgrade?: (pending: Migration[]) => void,
): string[] {
  sqlite.run(
    "CREATE TABLE IF NOT EXISTS __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)",
  );
  const last = sqlite
    .query<{ created_at: number }, []>(
      "SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1",
    )
    .get();
  const pending = migrations.filter((migration) => migration.when > Number(last?.created_at ?? 0));
  if (pending.length === 0) return [];
  if (last) beforeUpgrade?.(pending);

  sqlite.run("PRAGMA foreign_keys = OFF");
  try {
    for (const migration of pending) applyOne(sqlite, migration);
  } finally {
    sqlite.run("PRAGMA foreign_keys = ON");
  }
  return pending.map((migration) => migration.tag);
}

function applyOne(sqlite: Database, migration: Migration): void {
  try {
    applyInTransaction(sqlite, migration);
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    // Name the migration: an operator reading "near ...: syntax error" alone cannot act on it.
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.tag} failed: ${reason}`, { cause: error });
  }
}

function applyInTransaction(sqlite: Database, migration: Migration): void {
  sqlite.transaction(() => {
    for (const statement of migration.statements) sqlite.run(statement);
    const violations = sqlite.query("PRAGMA foreign_key_check").all();
    if (violations.length > 0) {
      throw new MigrationError(
        `Migration ${migration.tag} would leave ${violations.length} broken foreign key reference(s)`,
      );
    }
    sqlite.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", [
      migration.hash,
      migration.when,
    ]);
  })();
}

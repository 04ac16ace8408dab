import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { embeddedMigrations, type Migration } from "./migrate";

/**
 * The SQLite side of `kanbun migrate-to-postgres`: the database file, opened read-only and read
 * in ONE transaction, so every count and every row comes from one snapshot even while a server
 * keeps writing to the file (WAL lets readers and a writer run side by side).
 */

/** Why a copy cannot go ahead (or did not), in one line for the operator. */
export class CopyError extends Error {
  override name = "CopyError";
}

/** A value as bun:sqlite reads it with safe integers: INTEGER arrives as bigint, REAL as number. */
export type SourceValue = string | number | bigint | null | Uint8Array;

export interface SourceTable {
  name: string;
  /** Column names, in the table's order. */
  columns: string[];
  /** Rows in the snapshot. */
  rows: number;
  /**
   * The highest id AUTOINCREMENT has handed out (sqlite_sequence), 0 if none: it may exceed
   * every id left in the table (deleted rows, pruned events), and ids are never given twice.
   */
  sequence: number;
}

export interface CopySource {
  /** The absolute path of the database file. */
  file: string;
  /** The tables holding Kanbun's data: no FTS5 tables, no bookkeeping, no sqlite_ tables. */
  tables: SourceTable[];
  /** The rows of `table` in the snapshot, at most `size` at a time, values in `columns` order. */
  batches(table: string, columns: readonly string[], size: number): Generator<SourceValue[][]>;
  /** Ends the read transaction and closes the file. */
  close(): void;
}

/**
 * Opens the Kanbun database at `path` for copying, after checking that it is one and that its
 * schema is the one this binary knows (no pending migrations, none newer). Nothing is written.
 */
export function openCopySource(path: string, migrations = embeddedMigrations()): CopySource {
  const file = resolve(path);
  if (!existsSync(file)) throw new CopyError(`No database at ${file} (DATABASE_PATH) to copy`);
  if (!statSync(file).isFile()) throw new CopyError(`${file} (DATABASE_PATH) is not a file`);
  let sqlite: Database | undefined;
  try {
    sqlite = new Database(file, { readonly: true, strict: true, safeIntegers: true });
    sqlite.run("PRAGMA busy_timeout = 5000");
    // Deferred: the snapshot is taken by the first read below and held until close.
    sqlite.run("BEGIN");
    const tables = readTables(sqlite, file, migrations);
    return snapshotOf(sqlite, file, tables);
  } catch (error) {
    sqlite?.close(false);
    if (error instanceof CopyError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CopyError(`${file} cannot be read as a Kanbun database (${reason})`);
  }
}

function snapshotOf(sqlite: Database, file: string, tables: SourceTable[]): CopySource {
  return {
    file,
    tables,
    *batches(table, columns, size) {
      const list = columns.map(quoteIdentifier).join(", ");
      const rows = sqlite
        .query<Record<string, SourceValue>, []>(`SELECT ${list} FROM ${quoteIdentifier(table)}`)
        .iterate();
      let batch: SourceValue[][] = [];
      for (const row of rows) {
        batch.push(columns.map((column) => row[column] ?? null));
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    close() {
      sqlite.run("COMMIT");
      sqlite.close(false);
    },
  };
}

function readTables(sqlite: Database, file: string, migrations: Migration[]): SourceTable[] {
  const names = sqlite
    .query<{ name: string }, []>(
      // table_list tells FTS5's virtual and shadow tables ("virtual", "shadow") from real ones.
      `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
       AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    )
    .all()
    .map((row) => row.name);
  if (!names.includes("__drizzle_migrations") || !names.includes("users")) {
    throw new CopyError(`${file} is not a Kanbun database (it has no users or migrations table)`);
  }
  checkMigrations(sqlite, file, migrations);
  const sequences = readSequences(sqlite);
  return names
    .filter((name) => name !== "__drizzle_migrations")
    .map((name) => ({
      name,
      columns: sqlite
        .query<{ name: string }, []>(
          `SELECT name FROM pragma_table_info(${quoteLiteral(name)}) ORDER BY cid`,
        )
        .all()
        .map((column) => column.name),
      rows: toCount(
        sqlite.query<{ n: bigint }, []>(`SELECT count(*) AS n FROM ${quoteIdentifier(name)}`).get()
          ?.n,
      ),
      sequence: sequences.get(name) ?? 0,
    }));
}

/** The schema must be exactly the one this binary's PostgreSQL migrations mirror. */
function checkMigrations(sqlite: Database, file: string, migrations: Migration[]): void {
  const newest = toCount(
    sqlite
      .query<{ newest: bigint | number | null }, []>(
        "SELECT max(created_at) AS newest FROM __drizzle_migrations",
      )
      .get()?.newest,
  );
  const known = migrations.at(-1)?.when ?? 0;
  if (newest > known) {
    throw new CopyError(
      `${file} was written by a newer Kanbun; copy it with that version's kanbun migrate-to-postgres`,
    );
  }
  const pending = migrations.filter((migration) => migration.when > newest);
  if (pending.length > 0) {
    throw new CopyError(
      `${file} has ${pending.length} pending migration(s) (${pending[0]?.tag}…): run kanbun migrate with this binary first, then copy`,
    );
  }
}

function readSequences(sqlite: Database): Map<string, number> {
  // SQLite creates sqlite_sequence with the first AUTOINCREMENT table; Kanbun's first migration has one.
  const present = sqlite
    .query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    .get();
  if (!present) return new Map();
  const rows = sqlite
    .query<{ name: string; seq: bigint | number | null }, []>(
      "SELECT name, seq FROM sqlite_sequence",
    )
    .all();
  return new Map(rows.map((row) => [row.name, toCount(row.seq)]));
}

/** A count or id read with safe integers, as a number (they stay far below 2^53). */
function toCount(value: bigint | number | null | undefined): number {
  return Number(value ?? 0);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

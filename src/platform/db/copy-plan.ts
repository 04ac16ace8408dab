import { getTableName, is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { CopyError, type SourceTable } from "./copy-source";
import * as pgTables from "./pg-tables";

/**
 * What `kanbun migrate-to-postgres` copies, and in which order: every table of the SQLite
 * file, matched to the PostgreSQL schema (pg-tables) by name, parents before children so that
 * each row's foreign keys already hold. Decided before anything is written, and strict: a table
 * or column on one side only stops the copy, so a table added later cannot be left behind
 * unnoticed.
 */

/** How a value is carried over, from the PostgreSQL column's type. */
export type ColumnKind = "integer" | "float" | "text";

export interface PlannedColumn {
  name: string;
  kind: ColumnKind;
}

export interface PlannedTable {
  name: string;
  /** The columns written, in PostgreSQL's order; generated ones (search vectors) are not. */
  columns: PlannedColumn[];
  /** Identity columns, whose sequences are moved past the copied ids afterwards. */
  identities: string[];
  /** Rows in the SQLite snapshot. */
  rows: number;
  /** The highest id SQLite's AUTOINCREMENT handed out for this table (0 if none). */
  sequence: number;
}

const KINDS: Record<string, ColumnKind> = {
  smallint: "integer",
  integer: "integer",
  bigint: "integer",
  "double precision": "float",
  real: "float",
  text: "text",
};

/** The PostgreSQL tables of the schema, by name. */
export function postgresTables(): Map<string, PgTable> {
  const exports: unknown[] = Object.values(pgTables);
  const tables = exports.filter((value): value is PgTable => is(value, PgTable));
  return new Map(tables.map((table) => [getTableName(table), table]));
}

/** Matches the SQLite tables to `targets` and orders them; CopyError on any mismatch. */
export function planCopy(
  sources: readonly SourceTable[],
  targets: Map<string, PgTable> = postgresTables(),
): PlannedTable[] {
  const planned = sources.map((source) => planTable(source, targets.get(source.name)));
  return inForeignKeyOrder(planned, targets);
}

function planTable(source: SourceTable, target: PgTable | undefined): PlannedTable {
  if (!target) {
    throw new CopyError(
      `SQLite table ${source.name} has no PostgreSQL counterpart; nothing was copied`,
    );
  }
  const config = getTableConfig(target);
  // Stored generated columns (the search vectors) are computed by PostgreSQL from the others.
  const written = config.columns.filter((column) => !column.generated);
  const missing = source.columns.filter((name) => !written.some((c) => c.name === name));
  const extra = written.filter((column) => !source.columns.includes(column.name));
  if (missing.length > 0 || extra.length > 0) {
    const differences = [
      ...missing.map((name) => `${name} is only in SQLite`),
      ...extra.map((column) => `${column.name} is only in PostgreSQL`),
    ];
    throw new CopyError(
      `Table ${source.name} differs between the databases (${differences.join(", ")}); nothing was copied`,
    );
  }
  return {
    name: source.name,
    columns: written.map((column) => ({
      name: column.name,
      kind: kindOf(source.name, column.name, column.getSQLType()),
    })),
    identities: written.filter((column) => column.generatedIdentity).map((column) => column.name),
    rows: source.rows,
    sequence: source.sequence,
  };
}

function kindOf(table: string, column: string, type: string): ColumnKind {
  const kind = KINDS[type];
  if (!kind) {
    throw new CopyError(`Column ${table}.${column} is ${type}, which the copy cannot carry over`);
  }
  return kind;
}

/** Parents first; among tables free to go, by name, so the order is the same on every run. */
function inForeignKeyOrder(planned: PlannedTable[], targets: Map<string, PgTable>): PlannedTable[] {
  const names = new Set(planned.map((table) => table.name));
  const parents = new Map(
    planned.map((table) => {
      const config = getTableConfig(targets.get(table.name) as PgTable);
      const referenced = config.foreignKeys
        .map((key) => getTableName(key.reference().foreignTable))
        // A table referring to itself would need its rows in order; none does today.
        .filter((parent) => parent !== table.name && names.has(parent));
      return [table.name, new Set(referenced)];
    }),
  );
  const ordered: PlannedTable[] = [];
  let waiting = planned.toSorted((a, b) => a.name.localeCompare(b.name));
  while (waiting.length > 0) {
    const done = new Set(ordered.map((table) => table.name));
    const ready = waiting.filter((table) =>
      [...(parents.get(table.name) ?? [])].every((parent) => done.has(parent)),
    );
    if (ready.length === 0) {
      const cycle = waiting.map((table) => table.name).join(", ");
      throw new CopyError(`The foreign keys of ${cycle} form a cycle; no order copies them`);
    }
    ordered.push(...ready);
    waiting = waiting.filter((table) => !ready.includes(table));
  }
  return ordered;
}

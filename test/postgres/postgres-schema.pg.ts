import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Sql } from "../../src/platform/db/sql";
import { freshDatabase as freshSqlite } from "../support/database";
import { createMigratedDatabase, type MigratedDatabase } from "./support";

// The PostgreSQL schema (src/platform/db/pg-tables, drizzle/pg) against the SQLite one as
// migrated: the same tables, columns, nullability, defaults, indexes, unique constraints and
// foreign keys with their ON DELETE, read from each database's own catalogue (primary keys
// are compared apart: PostgreSQL names their indexes, SQLite does not).

let database: MigratedDatabase;
let sql: Sql;
let sqlite: Database;

beforeAll(async () => {
  database = await createMigratedDatabase();
  sql = database.sql;
  sqlite = freshSqlite();
});

afterAll(async () => {
  sqlite.close();
  await database.close();
});

/** SQLite's own tables (bookkeeping, FTS5 shadow tables) have no PostgreSQL counterpart. */
function sqliteTables(): string[] {
  return sqlite
    .query<{ name: string }, []>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
       AND name NOT LIKE '%_fts%' AND name <> '__drizzle_migrations' ORDER BY name`,
    )
    .all()
    .map((row) => row.name);
}

/** SQLite writes flag defaults as true/false, PostgreSQL here as 1/0; strings lose their cast. */
function normaliseDefault(value: string | null): string | null {
  if (value === null) return null;
  if (value === "true") return "1";
  if (value === "false") return "0";
  return value.replace(/::[a-z ]+$/, "");
}

describe("the PostgreSQL schema mirrors SQLite's", () => {
  test("the same tables", async () => {
    const rows = await sql.all<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((row) => row.name)).toEqual(sqliteTables());
  });

  test("the same columns, nullability and defaults in every table (and `search` besides)", async () => {
    for (const table of sqliteTables()) {
      const expected = sqlite
        .query<{ name: string; notnull: number; dflt_value: string | null; pk: number }, []>(
          `PRAGMA table_info(${table})`,
        )
        .all()
        .map((column) => ({
          column: column.name,
          nullable: column.notnull === 0 && column.pk === 0,
          default: normaliseDefault(column.dflt_value),
        }));
      const actual = (
        await sql.all<{ column_name: string; is_nullable: string; column_default: string | null }>(
          `SELECT column_name, is_nullable, column_default FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = ? AND column_name <> 'search'
           ORDER BY ordinal_position`,
          [table],
        )
      ).map((column) => ({
        column: column.column_name,
        nullable: column.is_nullable === "YES",
        default: normaliseDefault(column.column_default),
      }));
      expect({ table, columns: actual }).toEqual({ table, columns: expected });
    }
  });

  test("the same indexes and unique constraints, over the same columns", async () => {
    const normalise = (columns: string) => columns.replace(/[`"\s]/g, "");
    const expected = sqlite
      .query<{ name: string; sql: string }, []>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND name NOT LIKE '%_fts%' ORDER BY name`,
      )
      .all()
      .map((index) => ({
        name: index.name,
        unique: index.sql.startsWith("CREATE UNIQUE"),
        columns: normalise(/ ON `\w+` \((.*?)\)(?: WHERE|$)/.exec(index.sql)?.[1] ?? "?"),
        partial: index.sql.includes(" WHERE "),
      }));
    const actual = (
      await sql.all<{ name: string; def: string }>(
        `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'
         AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_pk'
         AND indexname NOT LIKE '%_search_idx' ORDER BY indexname`,
      )
    ).map((index) => ({
      name: index.name,
      unique: index.def.startsWith("CREATE UNIQUE"),
      columns: normalise(/ USING btree \((.*?)\)(?: WHERE|$)/.exec(index.def)?.[1] ?? "?"),
      partial: index.def.includes(" WHERE "),
    }));
    expect(actual.toSorted((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected.toSorted((a, b) => a.name.localeCompare(b.name)),
    );
  });

  test("the same primary keys", async () => {
    for (const table of sqliteTables()) {
      const expected = sqlite
        .query<{ name: string; pk: number }, []>(`PRAGMA table_info(${table})`)
        .all()
        .filter((column) => column.pk > 0)
        .toSorted((a, b) => a.pk - b.pk)
        .map((column) => column.name);
      const actual = await sql.all<{ column: string }>(
        `SELECT a.attname AS column FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = ?::regclass AND i.indisprimary
         ORDER BY array_position(i.indkey, a.attnum)`,
        [table],
      );
      expect({ table, key: actual.map((row) => row.column) }).toEqual({ table, key: expected });
    }
  });

  test("the same foreign keys, with the same ON DELETE", async () => {
    const expected = sqliteTables()
      .flatMap((table) =>
        sqlite
          .query<{ table: string; from: string; to: string; on_delete: string }, []>(
            `PRAGMA foreign_key_list(${table})`,
          )
          .all()
          .map(
            (key) => `${table}.${key.from} -> ${key.table}.${key.to} ON DELETE ${key.on_delete}`,
          ),
      )
      .toSorted();
    const actual = (
      await sql.all<{ key: string }>(
        `SELECT c.conrelid::regclass || '.' || a.attname || ' -> ' || c.confrelid::regclass || '.' ||
           r.attname || ' ON DELETE ' ||
           CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
             WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' ELSE 'SET DEFAULT' END AS key
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
      )
    )
      .map((row) => row.key)
      .toSorted();
    expect(actual).toEqual(expected);
  });
});

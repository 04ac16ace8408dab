/**
 * The parts of `kanbun migrate-to-postgres` that need no server: reading the SQLite file as one
 * snapshot, matching its tables and columns to the PostgreSQL schema (strictly) and ordering
 * them, and speaking of a URL without its password.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AnyPgColumn,
  getTableConfig,
  integer,
  type PgTable,
  boolean as pgBoolean,
  pgTable,
} from "drizzle-orm/pg-core";
import { planCopy, postgresTables } from "../src/platform/db/copy-plan";
import { CopyError, openCopySource, type SourceTable } from "../src/platform/db/copy-source";
import { migrate } from "../src/platform/db/migrate";
import {
  describePostgresUrl,
  parsePostgresUrl,
  redactPostgresUrl,
  withoutPassword,
} from "../src/platform/db/postgres-url";

const folder = mkdtempSync(join(tmpdir(), "kanbun-copy-plan-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;

/** A migrated database file in WAL mode, as a server leaves it, and a writer on it. */
function databaseFile(): { file: string; writer: Database } {
  files += 1;
  const file = join(folder, `kanbun-${files}.db`);
  const writer = new Database(file, { create: true, strict: true });
  writer.run("PRAGMA journal_mode = WAL");
  migrate(writer);
  return { file, writer };
}

function addUser(writer: Database, name: string): number {
  const row = writer
    .query<{ id: number }, [string, string]>(
      `INSERT INTO users (username, email, password_hash, created_at, updated_at)
       VALUES (?, ?, 'hash', 1, 1) RETURNING id`,
    )
    .get(name, `${name}@example.com`);
  return row?.id ?? -1;
}

describe("the SQLite snapshot", () => {
  test("lists Kanbun's tables only: no FTS5 tables, no bookkeeping, no sqlite_ tables", () => {
    const { file, writer } = databaseFile();
    const source = openCopySource(file);
    try {
      const names = source.tables.map((table) => table.name);
      expect(names).toContain("users");
      expect(names).toContain("event_log");
      expect(names.filter((name) => /fts|drizzle|^sqlite_/.test(name))).toEqual([]);
      expect(names).toEqual([...postgresTables().keys()].toSorted());
      expect(source.tables.find((table) => table.name === "event_log")).toMatchObject({
        columns: ["id", "pruned_through"],
        rows: 1,
        sequence: 0,
      });
    } finally {
      source.close();
      writer.close();
    }
  });

  test("counts and rows come from one snapshot while a writer goes on", () => {
    const { file, writer } = databaseFile();
    for (const name of ["ada", "bob", "cy"]) addUser(writer, name);
    const source = openCopySource(file);
    try {
      // Written after the snapshot: neither counted nor read.
      addUser(writer, "late");
      writer.run("DELETE FROM users WHERE username = 'ada'");
      expect(source.tables.find((table) => table.name === "users")?.rows).toBe(3);
      const batches = [...source.batches("users", ["username", "id"], 2)];
      expect(batches).toEqual([
        [
          ["ada", 1n],
          ["bob", 2n],
        ],
        [["cy", 3n]],
      ]);
    } finally {
      source.close();
      writer.close();
    }
  });

  test("reads AUTOINCREMENT's high-water mark, which outlives deleted rows", () => {
    const { file, writer } = databaseFile();
    for (const name of ["ada", "bob", "cy"]) addUser(writer, name);
    writer.run("DELETE FROM users WHERE id > 1");
    const source = openCopySource(file);
    try {
      expect(source.tables.find((table) => table.name === "users")).toMatchObject({
        rows: 1,
        sequence: 3,
      });
      expect(source.tables.find((table) => table.name === "tasks")?.sequence).toBe(0);
    } finally {
      source.close();
      writer.close();
    }
  });

  test("integers arrive exact, reals as numbers, NULL as null, text as it was", () => {
    const { file, writer } = databaseFile();
    const id = addUser(writer, "ada");
    writer.run(
      `INSERT INTO tasks (owner_id, title, position, due_date, created_at, updated_at)
       VALUES (?, 'Plan "it" 🎉', 1.5, NULL, ?, ?)`,
      [id, 2 ** 53 - 1, 1_764_770_000_000],
    );
    const source = openCopySource(file);
    try {
      const columns = ["title", "position", "due_date", "created_at", "updated_at"];
      expect([...source.batches("tasks", columns, 10)]).toEqual([
        [['Plan "it" 🎉', 1.5, null, 2n ** 53n - 1n, 1_764_770_000_000n]],
      ]);
    } finally {
      source.close();
      writer.close();
    }
  });

  test("a database with no users or migrations table is not Kanbun's", () => {
    const file = join(folder, "empty.db");
    new Database(file, { create: true }).close();
    expect(() => openCopySource(file)).toThrow(
      new CopyError(`${file} is not a Kanbun database (it has no users or migrations table)`),
    );
  });
});

function sourceTable(name: string, columns: string[]): SourceTable {
  return { name, columns, rows: 0, sequence: 0 };
}

/** The tables of a migrated database, as the snapshot lists them. */
function migratedTables(): SourceTable[] {
  const { file, writer } = databaseFile();
  const source = openCopySource(file);
  source.close();
  writer.close();
  return source.tables;
}

describe("the copy plan", () => {
  test("every table, parents before children, without the generated search vectors", () => {
    const plan = planCopy(migratedTables());
    const position = new Map(plan.map((table, index) => [table.name, index]));
    for (const [name, table] of postgresTables()) {
      for (const key of getTableConfig(table).foreignKeys) {
        const parent = getTableConfig(key.reference().foreignTable).name;
        expect({
          child: name,
          before: (position.get(parent) ?? 99) < (position.get(name) ?? -1),
        }).toEqual({ child: name, before: true });
      }
    }
    const tasks = plan.find((table) => table.name === "tasks");
    expect(tasks?.columns.map((column) => column.name)).not.toContain("search");
    expect(tasks?.columns.find((column) => column.name === "position")?.kind).toBe("float");
    expect(tasks?.columns.find((column) => column.name === "title")?.kind).toBe("text");
    expect(tasks?.columns.find((column) => column.name === "created_at")?.kind).toBe("integer");
    expect(tasks?.identities).toEqual(["id"]);
    expect(plan.find((table) => table.name === "events")?.identities).toEqual(["seq"]);
    expect(plan.find((table) => table.name === "event_log")?.identities).toEqual([]);
  });

  test("a SQLite table without a PostgreSQL counterpart stops the copy", () => {
    const tables = [...migratedTables(), sourceTable("reminders_v2", ["id"])];
    expect(() => planCopy(tables)).toThrow(
      new CopyError("SQLite table reminders_v2 has no PostgreSQL counterpart; nothing was copied"),
    );
  });

  test("a column on one side only stops the copy, named", () => {
    const tables = migratedTables().map((table) =>
      table.name === "bans"
        ? { ...table, columns: [...table.columns.filter((c) => c !== "reason"), "note"] }
        : table,
    );
    expect(() => planCopy(tables)).toThrow(
      new CopyError(
        "Table bans differs between the databases (note is only in SQLite, reason is only in PostgreSQL); nothing was copied",
      ),
    );
  });

  test("a column type without a copy rule stops the copy", () => {
    const flags = pgTable("flags", { id: integer("id"), on: pgBoolean("on") });
    expect(() =>
      planCopy([sourceTable("flags", ["id", "on"])], new Map([["flags", flags]])),
    ).toThrow(new CopyError("Column flags.on is boolean, which the copy cannot carry over"));
  });

  test("foreign keys in a cycle stop the copy", () => {
    const a = pgTable("a", {
      id: integer("id").primaryKey(),
      b: integer("b").references((): AnyPgColumn => b.id),
    });
    const b = pgTable("b", {
      id: integer("id").primaryKey(),
      a: integer("a").references((): AnyPgColumn => a.id),
    });
    const targets = new Map<string, PgTable>([
      ["a", a],
      ["b", b],
    ]);
    expect(() =>
      planCopy([sourceTable("b", ["id", "a"]), sourceTable("a", ["id", "b"])], targets),
    ).toThrow(new CopyError("The foreign keys of a, b form a cycle; no order copies them"));
  });
});

describe("PostgreSQL URLs", () => {
  const url = parsePostgresUrl("postgresql://kanbun:p%40ss%2Fw0rd@db.example.com:6543/kan%20bun");

  test("are described by server and database, and redacted, without the password", () => {
    expect(describePostgresUrl(url)).toBe("db.example.com:6543/kan bun");
    expect(describePostgresUrl(new URL("postgres://db"))).toBe("db:5432/(default database)");
    expect(redactPostgresUrl(url)).toBe("postgresql://kanbun:***@db.example.com:6543/kan%20bun");
    expect(redactPostgresUrl(new URL("postgres://db/x"))).toBe("postgres://db/x");
  });

  test("a driver's message loses the password, typed or decoded", () => {
    expect(withoutPassword("auth p%40ss%2Fw0rd / p@ss/w0rd failed", url)).toBe(
      "auth *** / *** failed",
    );
    const broken = new URL("postgres://u:%E0%A4%A@db/x");
    expect(withoutPassword("said %E0%A4%A", broken)).toBe("said ***");
    expect(withoutPassword("no secret here", new URL("postgres://db/x"))).toBe("no secret here");
  });
});

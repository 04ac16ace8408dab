import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { openCopySource } from "../../src/platform/db/copy-source";
import { copyToPostgres } from "../../src/platform/db/copy-to-postgres";
import { embeddedMigrations, migrate } from "../../src/platform/db/migrate";
import { migratePostgres } from "../../src/platform/db/postgres-migrate";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import { expectCliFailure, runCommand } from "../support/cli";
import { expectSameRows, writeCopyFixture } from "./copy-fixture";
import { createScratchDatabase, type ScratchDatabase, serverUrl } from "./support";

// What `kanbun migrate-to-postgres` refuses, and that a refused or failed copy leaves the
// target as it found it: all or nothing.

const folder = mkdtempSync(join(tmpdir(), "kanbun-copy-refusals-"));
let fixture: string;
let copies = 0;
const scratch: ScratchDatabase[] = [];

beforeAll(async () => {
  fixture = await writeCopyFixture(folder);
});

afterEach(async () => {
  for (const database of scratch.splice(0)) await database.drop();
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function freshTarget(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  scratch.push(database);
  return database;
}

/** A copy of the fixture that a test may change. */
function sourceCopy(): string {
  copies += 1;
  const file = join(folder, `copy-${copies}.db`);
  copyFileSync(fixture, file);
  return file;
}

const command = (file: string, url: string) =>
  runCommand(["migrate-to-postgres", "--to", url], { DATABASE_PATH: file, LOG_LEVEL: "silent" });

const refusal = (file: string, url: string) =>
  expectCliFailure(["migrate-to-postgres", "--to", url], {
    DATABASE_PATH: file,
    LOG_LEVEL: "silent",
  });

/** Every table in the target's schema with its row count; {} for an untouched database. */
async function contents(url: string): Promise<Record<string, number>> {
  const sql = createPostgresSql(url, { max: 1 });
  try {
    const tables = await sql.all<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    const counts: Record<string, number> = {};
    for (const { schema, name } of tables) {
      const row = await sql.get<{ n: number }>(`SELECT count(*) AS n FROM "${schema}"."${name}"`);
      counts[`${schema}.${name}`] = row?.n ?? -1;
    }
    return counts;
  } finally {
    await sql.close();
  }
}

/** The Kanbun tables' row counts, bookkeeping and event_log's seeded row left out. */
const kanbunRows = async (url: string) =>
  Object.entries(await contents(url))
    .filter(([name]) => name.startsWith("public.") && name !== "public.event_log")
    .reduce((sum, [, rows]) => sum + rows, 0);

describe("the target", () => {
  test("already holding Kanbun rows is refused, and nothing in it changes", async () => {
    const { url } = await freshTarget();
    expect((await command(fixture, url)).code).toBe(0);
    const before = await contents(url);
    const line = await refusal(fixture, url);
    expect(line).toMatch(
      /^kanbun: PostgreSQL on 127\.0\.0\.1:\d+\/kanbun_test_\w+ already holds Kanbun data \(table \w+ has rows\); copy into an empty database$/,
    );
    expect(await contents(url)).toEqual(before);
  });

  test("holding another application's users is refused before any migration runs", async () => {
    const { url } = await freshTarget();
    const sql = createPostgresSql(url, { max: 1 });
    await sql.run("CREATE TABLE users (id int, name text)");
    await sql.run("INSERT INTO users VALUES (1, 'theirs')");
    await sql.close();
    expect(await refusal(fixture, url)).toContain(
      "already holds Kanbun data (table users has rows)",
    );
    expect(await contents(url)).toEqual({ "public.users": 1 });
  });

  test("migrated by Kanbun but still empty is accepted", async () => {
    const { url } = await freshTarget();
    await migratePostgres(url);
    const result = await command(fixture, url);
    expect(result.code).toBe(0);
    expect(result.info[0]).toEndWith("(copied in one transaction):");
  });

  test("a server with nothing on the port fails fast, without the password", async () => {
    const started = performance.now();
    const line = await refusal(fixture, "postgres://kanbun:pw-secret@127.0.0.1:1/kanbun");
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(line).toBe(
      "kanbun: Cannot reach PostgreSQL on 127.0.0.1:1/kanbun: connection refused (is the server running, and are the host and port right?)",
    );
  });

  test("PGDATABASE, which Bun's driver lets override the URL's database, is refused", async () => {
    const { url } = await freshTarget();
    // Where the driver would go instead: a scratch database too, so a failing test harms nothing.
    const decoy = await freshTarget();
    const decoyName = new URL(decoy.url).pathname.slice(1);
    const before = process.env.PGDATABASE;
    process.env.PGDATABASE = decoyName;
    try {
      expect(await refusal(fixture, url)).toMatch(
        new RegExp(
          `^kanbun: Connected to database ${decoyName}, not kanbun_test_\\w+ as the URL says \\(is PGDATABASE set\\? unset it\\)$`,
        ),
      );
    } finally {
      if (before === undefined) delete process.env.PGDATABASE;
      else process.env.PGDATABASE = before;
    }
    expect(await contents(url)).toEqual({});
    expect(await contents(decoy.url)).toEqual({});
  });

  test("a database that does not store text as UTF-8 is refused", async () => {
    const name = `kanbun_test_latin1_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = new SQL({ url: serverUrl(), max: 1 });
    await admin.unsafe(
      `CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    await admin.close();
    const url = new URL(serverUrl());
    url.pathname = `/${name}`;
    scratch.push({
      url: url.toString(),
      async drop() {
        const again = new SQL({ url: serverUrl(), max: 1 });
        await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await again.close();
      },
    });
    expect(await refusal(fixture, url.toString())).toMatch(
      /^kanbun: PostgreSQL on 127\.0\.0\.1:\d+\/kanbun_test_latin1_\w+ stores text as LATIN1; Kanbun needs a UTF8 database$/,
    );
    expect(await contents(url.toString())).toEqual({});
  });

  test("a database the server does not have is named", async () => {
    const url = new URL((await freshTarget()).url);
    url.pathname = "/kanbun_no_such_database";
    url.password = "pw-secret";
    const line = await refusal(fixture, url.toString());
    expect(line).toStartWith("kanbun: Cannot reach PostgreSQL on 127.0.0.1:");
    expect(line).toContain('database "kanbun_no_such_database" does not exist');
    expect(line).not.toContain("pw-secret");
  });
});

describe("the source", () => {
  test("missing, or with pending migrations: the target stays untouched", async () => {
    const { url } = await freshTarget();
    expect(await refusal(join(folder, "missing.db"), url)).toContain("No database at");
    const older = join(folder, "older.db");
    const sqlite = new Database(older, { create: true });
    migrate(sqlite, embeddedMigrations().slice(0, 3));
    sqlite.close();
    expect(await refusal(older, url)).toContain("run kanbun migrate with this binary first");
    expect(await contents(url)).toEqual({});
  });

  test("text PostgreSQL cannot store (a NUL) rolls the whole copy back, naming the column", async () => {
    const { url } = await freshTarget();
    const file = sourceCopy();
    const sqlite = new Database(file);
    sqlite.run("UPDATE tasks SET description = 'before' || char(0) || 'after' WHERE id = 1");
    sqlite.close();
    expect(await refusal(file, url)).toBe(
      `kanbun: tasks.description (id 1) holds text "before\\u0000after" where PostgreSQL takes text without NUL characters; nothing was copied`,
    );
    expect(await kanbunRows(url)).toBe(0);
  });

  test("a fraction in a whole-number column is refused, not rounded", async () => {
    const { url } = await freshTarget();
    const file = sourceCopy();
    const sqlite = new Database(file);
    sqlite.run("UPDATE tasks SET priority = 2.5 WHERE id = 1");
    sqlite.close();
    expect(await refusal(file, url)).toBe(
      "kanbun: tasks.priority (id 1) holds the number 2.5 where PostgreSQL takes a whole number; nothing was copied",
    );
    expect(await kanbunRows(url)).toBe(0);
  });
});

describe("the copy", () => {
  test("a table whose count differs after copying rolls everything back, naming it", async () => {
    const { url } = await freshTarget();
    await migratePostgres(url);
    const sql = createPostgresSql(url, { max: 1 });
    // Stands for any way rows could go missing on the way: PostgreSQL drops one tag.
    await sql.run(`CREATE FUNCTION drop_home() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF NEW.tag = 'home' THEN RETURN NULL; END IF; RETURN NEW; END $$`);
    await sql.run(
      "CREATE TRIGGER drop_home BEFORE INSERT ON task_tags FOR EACH ROW EXECUTE FUNCTION drop_home()",
    );
    await sql.close();
    const line = await refusal(fixture, url);
    expect(line).toMatch(
      /^kanbun: Table task_tags has \d+ rows in SQLite but \d+ in PostgreSQL after copying; nothing was copied$/,
    );
    expect(await kanbunRows(url)).toBe(0);
  });

  test("large tables go in several INSERTs, each within PostgreSQL's parameter limit", async () => {
    const { url } = await freshTarget();
    const file = sourceCopy();
    const sqlite = new Database(file);
    // 15 columns: 5,000 tasks are 75,000 parameters, more than one statement may carry.
    sqlite.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
      INSERT INTO tasks (owner_id, title, position, created_at, updated_at)
      SELECT 1, 'Bulk ' || i, i / 7.0, i, i FROM n`);
    sqlite.close();
    const result = await command(file, url);
    expect(result.error).toEqual([]);
    expect(result.info.join("\n")).toMatch(/^ {2}tasks +5004$/m);
    await expectSameRows(file, url);
  });

  test("batches of a few rows each copy the same rows", async () => {
    const { url } = await freshTarget();
    const source = openCopySource(fixture);
    try {
      const report = await copyToPostgres(source, new URL(url), { maxParameters: 40 });
      expect(report.total).toBe(source.tables.reduce((sum, table) => sum + table.rows, 0));
    } finally {
      source.close();
    }
    await expectSameRows(fixture, url);
  });
});

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import type { Sql } from "../../src/platform/db/sql";
import { runCommand } from "../support/cli";
import { copiedTables, expectSameRows, FIXTURE, writeCopyFixture } from "./copy-fixture";
import { createScratchDatabase, type ScratchDatabase } from "./support";

// `kanbun migrate-to-postgres` copying a database written by the real app into a fresh
// PostgreSQL database: every row equal on both sides, ids continuing where SQLite's left off,
// search working on the copied text. Refusals: copy-refusals.pg.ts.

const PASSWORD = "s3cret-never-printed";
const folder = mkdtempSync(join(tmpdir(), "kanbun-copy-"));
let file: string;
let database: ScratchDatabase;
let sql: Sql;
let sqlite: Database;
let result: Awaited<ReturnType<typeof runCommand>>;

/** The URL with a password: the test server trusts local connections and ignores it. */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

beforeAll(async () => {
  file = await writeCopyFixture(folder);
  database = await createScratchDatabase();
  result = await runCommand(["migrate-to-postgres", "--to", withPassword(database.url)], {
    DATABASE_PATH: file,
    LOG_LEVEL: "silent",
  });
  sql = createPostgresSql(database.url, { max: 2 });
  sqlite = new Database(file, { readonly: true, strict: true });
});

afterAll(async () => {
  sqlite.close();
  await sql.close();
  await database.drop();
  rmSync(folder, { recursive: true, force: true });
});

describe("a populated SQLite database copied to PostgreSQL", () => {
  test("the command succeeds and reports every table, the total and the next step", () => {
    expect(result.error).toEqual([]);
    expect(result.code).toBe(0);
    const text = result.info.join("\n");
    expect(text).not.toContain(PASSWORD);
    expect(result.info[0]).toStartWith(`Copied ${file} to PostgreSQL on 127.0.0.1:`);
    const tables = copiedTables(file);
    for (const table of tables) {
      expect(text).toMatch(new RegExp(`^  ${table.name} +${table.rows}$`, "m"));
    }
    const total = tables.reduce((sum, table) => sum + table.rows, 0);
    expect(text).toMatch(new RegExp(`^  total +${total}$`, "m"));
    expect(text).toMatch(/^Row counts verified on both sides in \d+\.\d\d s\.$/m);
    expect(text).toContain("start Kanbun with DATABASE_URL=postgres://postgres:***@127.0.0.1:");
  });

  test("the fixture leaves no table empty, so every table's copy is checked", () => {
    const empty = copiedTables(file).filter((table) => table.rows === 0);
    expect(empty.map((table) => table.name)).toEqual([]);
  });

  test("every table holds the same rows, column for column, on both sides", async () => {
    await expectSameRows(file, database.url);
  });

  test("hashes, odd text and NULLs arrive exactly", async () => {
    const user = await sql.get<{ password_hash: string; full_name: string; last_login_at: number }>(
      "SELECT password_hash, full_name, last_login_at FROM users WHERE full_name = ?",
      [FIXTURE.fullName],
    );
    expect(user?.password_hash).toStartWith("$argon2id$");
    const task = await sql.get<{ description: string; due_date: number; completed_at: null }>(
      "SELECT description, due_date, completed_at FROM tasks WHERE title = ?",
      [FIXTURE.taskTitle],
    );
    expect(task).toEqual({
      description: FIXTURE.taskDescription,
      due_date: expect.any(Number),
      completed_at: null,
    });
    expect(
      await sql.get("SELECT body FROM comments WHERE body = ?", [FIXTURE.commentBody]),
    ).toEqual({ body: FIXTURE.commentBody });
  });

  test("new rows get ids past every id SQLite handed out, deleted ones included", async () => {
    const highest = (name: string) =>
      sqlite
        .query<{ seq: number }, [string]>("SELECT seq FROM sqlite_sequence WHERE name = ?")
        .get(name)?.seq ?? -1;
    const maxUser = sqlite.query<{ n: number }, []>("SELECT max(id) AS n FROM users").get()?.n ?? 0;
    // The fixture deleted the newest account and the newest events.
    expect(highest("users")).toBeGreaterThan(maxUser);
    const user = await sql.get<{ id: number }>(
      `INSERT INTO users (username, email, password_hash, created_at, updated_at)
       VALUES ('after_copy', 'after@example.com', 'x', 1, 1) RETURNING id`,
    );
    expect(user?.id).toBe(highest("users") + 1);
    const event = await sql.get<{ seq: number }>(
      "INSERT INTO events (type, data, created_at) VALUES ('x', '{}', 1) RETURNING seq",
    );
    expect(event?.seq).toBe(highest("events") + 1);
    const comment = await sql.get<{ id: number }>(
      "INSERT INTO comments (task_id, author_id, body, created_at, updated_at) SELECT id, owner_id, 'later', 1, 1 FROM tasks LIMIT 1 RETURNING id",
    );
    expect(comment?.id).toBe(highest("comments") + 1);
  });

  test("full-text search on PostgreSQL finds the copied words", async () => {
    const tasks = await sql.all<{ title: string }>(
      "SELECT title FROM tasks WHERE search @@ ?::tsquery",
      ["'launch':*AB & 'ete':*AB"],
    );
    expect(tasks).toEqual([{ title: FIXTURE.taskTitle }]);
    const comments = await sql.all<{ body: string }>(
      "SELECT body FROM comments WHERE search @@ ?::tsquery",
      ["'quoted':*AB"],
    );
    expect(comments).toEqual([{ body: FIXTURE.commentBody }]);
    const boards = await sql.all<{ name: string }>(
      "SELECT name FROM boards WHERE search @@ ?::tsquery",
      ["'roadmap':*AB"],
    );
    expect(boards).toEqual([{ name: "Roadmap 2027" }]);
  });

  test("event_log's row is SQLite's, not the one the migration wrote", async () => {
    const [row] = sqlite.query("SELECT id, pruned_through FROM event_log").all();
    expect(await sql.all("SELECT id, pruned_through FROM event_log")).toEqual([row]);
  });
});

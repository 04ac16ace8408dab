import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Sql } from "../../src/platform/db/sql";
import { createMigratedDatabase, type MigratedDatabase } from "./support";

// What the migrated PostgreSQL schema does beyond its shape: case-insensitive usernames, ids
// that copied rows may set, event_log's row, and the search vectors used as
// src/platform/db/pg-tables/search.ts describes.

let database: MigratedDatabase;
let sql: Sql;
const NOW = 1_764_770_000_000;

beforeAll(async () => {
  database = await createMigratedDatabase();
  sql = database.sql;
});

afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  await sql.run("TRUNCATE users, events RESTART IDENTITY CASCADE");
});

async function addUser(username: string): Promise<number> {
  const row = await sql.get<{ id: number }>(
    `INSERT INTO users (username, email, password_hash, created_at, updated_at)
     VALUES (?, ?, 'x', ?, ?) RETURNING id`,
    [username, `${username.toLowerCase()}@example.test`, NOW, NOW],
  );
  return row?.id ?? -1;
}

async function addTask(
  ownerId: number,
  title: string,
  description = "",
  boardId: number | null = null,
): Promise<number> {
  const row = await sql.get<{ id: number }>(
    `INSERT INTO tasks (owner_id, title, description, board_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
    [ownerId, title, description, boardId, NOW, NOW],
  );
  return row?.id ?? -1;
}

/** Ids of the tasks matching a tsquery, best first, ranked as search.ts says. */
async function searchTasks(match: string, words = match): Promise<number[]> {
  const rows = await sql.all<{ id: number }>(
    `SELECT t.id FROM tasks t WHERE t.search @@ ?::tsquery
     ORDER BY ts_rank('{0, 0, 0.1, 1}', t.search, ?::tsquery) DESC, t.id DESC`,
    [match, words],
  );
  return rows.map((row) => row.id);
}

describe("accounts and ids", () => {
  test("usernames are unique regardless of case, and keep the case they were chosen with", async () => {
    await addUser("Alice");
    const error = await addUser("aLICE").catch((e) => e);
    expect(error).toMatchObject({ errno: "23505", constraint: "users_username_lower_unique" });
    expect(await sql.all("SELECT username FROM users")).toEqual([{ username: "Alice" }]);
  });

  test("ids come from identities, and a copied row may bring its own", async () => {
    expect(await addUser("first")).toBe(1);
    await sql.run(
      `INSERT INTO users (id, username, email, password_hash, created_at, updated_at)
       VALUES (40, 'copied', 'copied@example.test', 'x', ?, ?)`,
      [NOW, NOW],
    );
    expect(await sql.get("SELECT id FROM users WHERE username = 'copied'")).toEqual({ id: 40 });
  });

  test("deleting an account cascades and sets null as on SQLite", async () => {
    const owner = await addUser("owner");
    const other = await addUser("other");
    const task = await addTask(owner, "Shared");
    await sql.run("UPDATE tasks SET assignee_id = ? WHERE id = ?", [other, task]);
    await addTask(other, "Theirs");
    await sql.run("DELETE FROM users WHERE id = ?", [other]);
    expect(await sql.all("SELECT title, assignee_id FROM tasks")).toEqual([
      { title: "Shared", assignee_id: null },
    ]);
  });
});

describe("events", () => {
  test("event_log has its one row, and seq is a bigint identity read as a number", async () => {
    expect(await sql.all("SELECT id, pruned_through FROM event_log")).toEqual([
      { id: 1, pruned_through: 0 },
    ]);
    await sql.run("INSERT INTO events (seq, type, data, created_at) VALUES (?, 'x', '{}', ?)", [
      2 ** 40,
      NOW,
    ]);
    expect(await sql.get("SELECT seq FROM events")).toEqual({ seq: 2 ** 40 });
  });
});

describe("full-text search vectors", () => {
  test("words match as prefixes, folded for case and accents, split as FTS5 splits them", async () => {
    const owner = await addUser("owner");
    const plan = await addTask(owner, "Planning the Café launch", "mail foo@bar.com, snake_case");
    const other = await addTask(owner, "Groceries", "Äpfel und Brot");
    expect(await searchTasks("'plan':*AB")).toEqual([plan]);
    expect(await searchTasks("'cafe':*AB")).toEqual([plan]);
    expect(await searchTasks("'bar':*AB & 'case':*AB")).toEqual([plan]);
    expect(await searchTasks("'apfel':*AB")).toEqual([other]);
    expect(await searchTasks("'nothing':*AB")).toEqual([]);
  });

  test("the vector follows the text: an edited title is found by its new words only", async () => {
    const owner = await addUser("owner");
    const task = await addTask(owner, "Old words");
    await sql.run("UPDATE tasks SET title = 'Fresh words' WHERE id = ?", [task]);
    expect(await searchTasks("'old':*AB")).toEqual([]);
    expect(await searchTasks("'fresh':*AB")).toEqual([task]);
  });

  test("visibility tokens narrow a match to the caller's tasks and never match typed words", async () => {
    const me = await addUser("me");
    const someone = await addUser("someone");
    const mine = await addTask(me, "Report draft");
    const onBoard = await addTask(someone, "Report for board 7", "", 7);
    const theirs = await addTask(someone, "Report elsewhere", "", 8);
    const visible = `('o${me}':D | 'b7':D)`;
    expect((await searchTasks(`${visible} & 'report':*AB`, "'report':*AB")).toSorted()).toEqual(
      [mine, onBoard].toSorted(),
    );
    expect(theirs).toBeGreaterThan(0);
    // Someone's id typed as a word, or a word shaped like a token, finds no task by its tokens.
    expect(await searchTasks(`'o${someone}':*AB`)).toEqual([]);
    expect(await searchTasks("'b8':*AB")).toEqual([]);
    // A title word that looks like a token is not a visibility token either.
    const tricky = await addTask(someone, `o${me} in a title`);
    expect(await searchTasks(`'o${me}':D`)).toEqual([mine]);
    expect(await searchTasks(`'o${me}':*AB`)).toEqual([tricky]);
  });

  test("title matches rank above description matches", async () => {
    const owner = await addUser("owner");
    const inDescription = await addTask(owner, "Something", "budget review");
    const inTitle = await addTask(owner, "Budget", "");
    const older = await addTask(owner, "Other", "budget");
    expect(await searchTasks("'budget':*AB")).toEqual([inTitle, older, inDescription]);
  });

  test("boards and comments have vectors of their own", async () => {
    const owner = await addUser("owner");
    const board = await sql.get<{ id: number }>(
      `INSERT INTO boards (owner_id, name, description, created_at, updated_at)
       VALUES (?, 'Roadmap', 'quarterly goals', ?, ?) RETURNING id`,
      [owner, NOW, NOW],
    );
    const task = await addTask(owner, "Task");
    await sql.run(
      `INSERT INTO comments (task_id, author_id, body, created_at, updated_at)
       VALUES (?, ?, 'Looks façade-ready', ?, ?)`,
      [task, owner, NOW, NOW],
    );
    expect(
      await sql.all("SELECT id FROM boards WHERE search @@ ?::tsquery", ["'quarter':*AB"]),
    ).toEqual([{ id: board?.id }]);
    expect(
      await sql.all("SELECT body FROM comments WHERE search @@ ?::tsquery", ["'facade':*AB"]),
    ).toEqual([{ body: "Looks façade-ready" }]);
  });

  test("a search can be served from the GIN index", async () => {
    const owner = await addUser("owner");
    await addTask(owner, "Indexed");
    const plan = await sql.transaction(async () => {
      await sql.run("SET LOCAL enable_seqscan = off");
      return sql.all<{ "QUERY PLAN": string }>(
        "EXPLAIN SELECT id FROM tasks WHERE search @@ ?::tsquery",
        ["'index':*AB"],
      );
    });
    expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toContain("tasks_search_idx");
  });
});

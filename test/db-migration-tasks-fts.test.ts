import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { MAX_PREFIX_CHARS, matchVisible, toSearchTerms } from "../src/modules/tasks/search-terms";
import { visibleTo } from "../src/modules/tasks/visibility";
import { applyPragmas } from "../src/platform/db/client";
import { embeddedMigrations, migrate } from "../src/platform/db/migrate";

const MIGRATION = "0003_tasks_fts_visibility";
const WORDS = ["plan", "planning", "planet", "launch", "budget", "review", "report", "rent"];
const OWNERS = [1, 2, 3];
const TASKS_PER_OWNER = 120;

interface StoredTask {
  id: number;
  owner_id: number;
  board_id: number | null;
  title: string;
  description: string;
}

function text(seed: number, length: number): string {
  let state = seed;
  return Array.from({ length }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return WORDS[state % WORDS.length];
  }).join(" ");
}

/** A database at the schema before MIGRATION, holding users and their tasks. */
function populatedBeforeUpgrade(): Database {
  const sqlite = new Database(":memory:", { strict: true });
  applyPragmas(sqlite, false);
  const migrations = embeddedMigrations();
  migrate(
    sqlite,
    migrations.slice(
      0,
      migrations.findIndex((m) => m.tag === MIGRATION),
    ),
  );
  const insertUser = sqlite.query(
    `INSERT INTO users (id, username, email, password_hash, created_at, updated_at)
     VALUES (?, ?, ?, 'x', 0, 0)`,
  );
  const insertTask = sqlite.query(
    "INSERT INTO tasks (owner_id, title, description, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
  );
  for (const owner of OWNERS) {
    insertUser.run(owner, `user${owner}`, `user${owner}@example.com`);
    for (let i = 0; i < TASKS_PER_OWNER; i++) {
      insertTask.run(owner, text(owner * 1000 + i, 1 + (i % 3)), text(owner * 7000 + i, i % 6));
    }
  }
  return sqlite;
}

/** What a search for `query` by `owner` must find, worked out from the table alone. */
function expectedMatches(sqlite: Database, owner: number, query: string): number[] {
  const words = query.toLowerCase().split(" ");
  return sqlite
    .query<StoredTask, [number]>("SELECT * FROM tasks WHERE owner_id = ? AND board_id IS NULL")
    .all(owner)
    .filter((task) => {
      const tokens = `${task.title} ${task.description}`.toLowerCase().split(/[^a-z0-9]+/);
      return words.every((word) => tokens.some((token) => token.startsWith(word)));
    })
    .map((task) => task.id)
    .sort((a, b) => a - b);
}

function found(sqlite: Database, owner: number, query: string): number[] {
  return sqlite
    .query<{ rowid: number }, [string]>(
      "SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ? ORDER BY rowid",
    )
    .all(matchVisible(visibleTo(owner), toSearchTerms(query) ?? []))
    .map((row) => row.rowid);
}

async function expectIndexInStep(
  sqlite: Database,
  queries = ["plan", "plan rep", "r", "launch b"],
) {
  // FTS5 compares every indexed token with the content table and throws on any difference.
  sqlite.run("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('integrity-check', 1)");
  for (const owner of OWNERS) {
    for (const query of queries) {
      expect({ owner, query, ids: await found(sqlite, owner, query) }).toEqual({
        owner,
        query,
        ids: await expectedMatches(sqlite, owner, query),
      });
    }
  }
}

describe(`migration ${MIGRATION}`, () => {
  test("rebuilds the index of a populated database: every task stays searchable by its owner", async () => {
    const sqlite = populatedBeforeUpgrade();
    expect(migrate(sqlite)).toContain(MIGRATION);
    expect((await found(sqlite, 1, "plan")).length).toBeGreaterThan(10);
    await expectIndexInStep(sqlite, [
      "plan",
      "plann",
      "planet",
      "p",
      "rent",
      "re",
      "budget review",
    ]);
  });

  test("the index has a prefix index for every prefix length the query builder makes", () => {
    const sqlite = populatedBeforeUpgrade();
    migrate(sqlite);
    const table = sqlite
      .query<{ sql: string }, []>("SELECT sql FROM sqlite_master WHERE name = 'tasks_fts'")
      .get();
    const lengths = /prefix='([\d ]+)'/
      .exec(table?.sql ?? "")?.[1]
      ?.split(" ")
      .map(Number);
    expect(lengths).toEqual(Array.from({ length: MAX_PREFIX_CHARS }, (_, i) => i + 1));
    // Every term is cut to at most that many characters (code points, as FTS5 counts them).
    const terms = toSearchTerms("a ab internationally 𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜 ééééééééééé") ?? [];
    const cut = terms.map((term) => Array.from(/"(.*)"\*$/.exec(term)?.[1] ?? "").length);
    expect(cut).toEqual([1, 2, MAX_PREFIX_CHARS, MAX_PREFIX_CHARS, MAX_PREFIX_CHARS]);
  });

  test("its triggers keep the index in step with every write, owner and board changes too", async () => {
    const sqlite = populatedBeforeUpgrade();
    migrate(sqlite);
    const run = (sql: string, ...params: (string | number | null)[]) =>
      sqlite.query(sql).run(...params);

    const added = Number(
      (
        await run(
          "INSERT INTO tasks (owner_id, title, description, created_at, updated_at) VALUES (1, 'zebra plan', '', 0, 0)",
        )
      ).lastInsertRowid,
    );
    expect(await found(sqlite, 1, "zebra")).toEqual([added]);
    await expectIndexInStep(sqlite);

    await run("UPDATE tasks SET title = 'quokka' WHERE id = ?", added);
    expect(await found(sqlite, 1, "zebra")).toEqual([]);
    expect(await found(sqlite, 1, "quokka")).toEqual([added]);
    await expectIndexInStep(sqlite);

    // Another owner: the task leaves the first owner's searches and joins the second's.
    await run("UPDATE tasks SET owner_id = 2 WHERE id = ?", added);
    expect(await found(sqlite, 1, "quokka")).toEqual([]);
    expect(await found(sqlite, 2, "quokka")).toEqual([added]);
    await run("UPDATE tasks SET owner_id = 3 WHERE owner_id = 2");
    expect(await found(sqlite, 2, "plan")).toEqual([]);
    await expectIndexInStep(sqlite);

    // Onto a board: the board's id is indexed for the searches boards will add.
    await run("UPDATE tasks SET board_id = 5 WHERE id = ?", added);
    const onBoard = sqlite
      .query<{ rowid: number }, [string]>("SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?")
      .all('board_id : "5" AND {title description} : "quok"*');
    expect(onBoard.map((row) => row.rowid)).toEqual([added]);
    await run("UPDATE tasks SET board_id = NULL WHERE id = ?", added);
    await expectIndexInStep(sqlite);

    // Other columns leave the index alone.
    await run("UPDATE tasks SET priority = 3, completed = 1 WHERE owner_id = 1");
    await expectIndexInStep(sqlite);

    await run("DELETE FROM tasks WHERE id = ?", added);
    expect(await found(sqlite, 3, "quokka")).toEqual([]);
    await run("DELETE FROM users WHERE id = 1");
    expect(await found(sqlite, 1, "plan")).toEqual([]);
    await expectIndexInStep(sqlite);
  });
});

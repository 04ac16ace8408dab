import type { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { rankVisibleMatches, readIndexTotals, readVarints } from "../src/modules/tasks/search-rank";
import { matchVisible, toSearchTerms } from "../src/modules/tasks/search-terms";
import { visibleTo } from "../src/modules/tasks/visibility";
import { createSqliteSql } from "../src/platform/db/sqlite-sql";
import { freshDatabase } from "./support/database";

const WORDS = ["plan", "planning", "launch", "budget", "review", "café", "cafe", "report", "x"];

/** A deterministic pseudo-random sentence over WORDS. */
function sentence(seed: number, length: number): string {
  let state = seed;
  const words: string[] = [];
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    words.push(WORDS[state % WORDS.length] ?? "plan");
  }
  return words.join(" ");
}

function databaseWithTasks(owners: number[], perOwner: number): Database {
  const sqlite = freshDatabase();
  const insertUser = sqlite.query(
    `INSERT INTO users (id, username, email, password_hash, created_at, updated_at)
     VALUES (?, ?, ?, 'x', 0, 0)`,
  );
  const insertTask = sqlite.query(
    `INSERT INTO tasks (owner_id, title, description, created_at, updated_at)
     VALUES (?, ?, ?, 0, 0)`,
  );
  for (const owner of owners) {
    insertUser.run(owner, `user${owner}`, `user${owner}@example.com`);
    for (let i = 0; i < perOwner; i++) {
      const seed = owner * 1000 + i;
      insertTask.run(owner, sentence(seed, 1 + (i % 4)), sentence(seed + 7, (i * 3) % 11));
    }
  }
  return sqlite;
}

async function rank(sqlite: Database, owner: number, query: string) {
  const terms = toSearchTerms(query) ?? [];
  const visibility = visibleTo(owner);
  const sql = createSqliteSql(sqlite);
  return await rankVisibleMatches(
    sql,
    visibility,
    terms,
    { text: visibility.sql, params: visibility.params },
    await readIndexTotals(sql),
  );
}

const QUERIES = ["plan", "pla", "launch budget", "cafe", "review report plan", "x", "p r"];

describe("rankVisibleMatches", () => {
  test("when the caller sees every task, it scores exactly as SQLite's bm25()", async () => {
    const sqlite = databaseWithTasks([1], 60);
    for (const query of QUERIES) {
      const terms = toSearchTerms(query) ?? [];
      const expected = sqlite
        .query<{ id: number; score: number }, [string]>(
          `SELECT rowid AS id, -bm25(tasks_fts, 10.0, 1.0, 0.0, 0.0) AS score FROM tasks_fts
           WHERE tasks_fts MATCH ? ORDER BY score DESC, rowid DESC`,
        )
        .all(matchVisible(visibleTo(1), terms));
      const ranked = await rank(sqlite, 1, query);
      expect(expected.length).toBeGreaterThan(0);
      expect(ranked.map((task) => task.id)).toEqual(expected.map((row) => row.id));
      ranked.forEach((task, index) => {
        expect(task.score).toBeCloseTo(expected[index]?.score ?? Number.NaN, 9);
      });
    }
  });

  test("ranks only the caller's tasks, whatever the others hold", async () => {
    const sqlite = databaseWithTasks([1, 2, 3], 40);
    const owned = new Set(
      sqlite
        .query<{ id: number }, []>("SELECT id FROM tasks WHERE owner_id = 2")
        .all()
        .map((row) => row.id),
    );
    for (const query of QUERIES) {
      const ranked = await rank(sqlite, 2, query);
      expect(ranked.length).toBeGreaterThan(0);
      for (const task of ranked) expect(owned.has(task.id)).toBe(true);
    }
    expect(await rank(sqlite, 4, "plan")).toEqual([]);
  });

  test("with no task at all the totals stay finite", async () => {
    expect(await readIndexTotals(createSqliteSql(freshDatabase()))).toEqual({
      documents: 0,
      averageLength: 1,
    });
  });
});

describe("readVarints", () => {
  test("reads SQLite's big-endian varints, one to nine bytes", () => {
    expect(readVarints(new Uint8Array([]))).toEqual([]);
    expect(readVarints(new Uint8Array([0, 1, 0x7f]))).toEqual([0, 1, 127]);
    expect(readVarints(new Uint8Array([0x81, 0x00, 0x82, 0x2c]))).toEqual([128, 300]);
    const nine = new Uint8Array([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 5]);
    expect(readVarints(nine)).toEqual([2 ** 57 + 128, 5]);
  });

  test("a truncated varint ends the list instead of reading past it", () => {
    expect(readVarints(new Uint8Array([3, 0x81]))).toEqual([3, 1]);
  });
});

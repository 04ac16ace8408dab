import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  EXACT_TOTALS_UP_TO,
  readTotalsOnPostgres,
} from "../../src/modules/tasks/search-rank-postgres";
import type { Sql } from "../../src/platform/db/sql";
import { createMigratedDatabase, type MigratedDatabase } from "./support";

// BM25's totals on PostgreSQL: exact while the table is small, then a sampled estimate kept for
// a while, so that a search never counts every task's tokens.

let database: MigratedDatabase;
let sql: Sql;
const NOW = 1_764_770_000_000;

beforeAll(async () => {
  database = await createMigratedDatabase();
  sql = database.sql;
  await sql.run(
    `INSERT INTO users (username, email, password_hash, created_at, updated_at)
     VALUES ('owner', 'owner@example.test', 'x', ?, ?)`,
    [NOW, NOW],
  );
});

afterAll(async () => {
  await database.close();
});

/** Adds `count` tasks whose title has `words` words (and no description). */
async function addTasks(count: number, words: number): Promise<void> {
  const title = Array.from({ length: words }, (_, i) => `word${i}`).join(" ");
  await sql.run(
    `INSERT INTO tasks (owner_id, title, description, position, created_at, updated_at)
     SELECT 1, ?, '', n, ?, ? FROM generate_series(1, ?) AS n`,
    [title, NOW, NOW, count],
  );
}

test("a small table's totals are exact and follow every change", async () => {
  await addTasks(10, 3);
  const first = await readTotalsOnPostgres(sql);
  expect(first.documents).toBe(10);
  await addTasks(10, 5);
  const second = await readTotalsOnPostgres(sql);
  expect(second.documents).toBe(20);
  // The same lengths counted by hand: each task's tokens, visibility token included.
  const exact = await sql.get<{ tokens: number }>(
    `SELECT sum((SELECT count(*) FROM unnest(t.search) u, unnest(u.positions) p))::bigint AS tokens
     FROM tasks t`,
  );
  expect(second.averageLength).toBeCloseTo(Number(exact?.tokens) / 20, 10);
  expect(second.averageLength).toBeGreaterThan(first.averageLength);
});

test("a large table's totals are estimated from a sample, then kept", async () => {
  await addTasks(EXACT_TOTALS_UP_TO * 2, 4);
  const estimated = await readTotalsOnPostgres(sql);
  const exact = await sql.get<{ documents: number; tokens: number }>(
    `SELECT count(*) AS documents,
       sum((SELECT count(*) FROM unnest(t.search) u, unnest(u.positions) p))::bigint AS tokens
     FROM tasks t`,
  );
  const documents = Number(exact?.documents);
  expect(estimated.documents).toBe(documents);
  // Nearly every task has 4 title words and one visibility token; the sample sees that.
  expect(Math.abs(estimated.averageLength - Number(exact?.tokens) / documents)).toBeLessThan(0.1);
  await addTasks(100, 4);
  // Kept: the hundred new tasks are not counted until the estimate is read again.
  expect((await readTotalsOnPostgres(sql)).documents).toBe(documents);
});

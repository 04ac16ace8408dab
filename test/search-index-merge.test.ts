import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { createScheduler } from "../src/modules/jobs/scheduler";
import { mergeSearchIndexes } from "../src/platform/db/search-index";
import { createTestContext } from "./support/app";
import { sqliteOf } from "./support/dialect";
import { createTask, createUser } from "./support/factories";

// FTS5's segments are SQLite's own: these run on SQLite in the PostgreSQL suite too.
test("merging search-index segments leaves every search answering the same", async () => {
  const ctx = await createTestContext({}, { sqliteOnly: true });
  const user = await createUser(ctx);
  // Each task is written in its own transaction: one index segment each, until FTS5 merges some.
  for (let i = 0; i < 40; i++) await createTask(ctx, user, { title: `harbour plan ${i}` });
  const search = async () => {
    const response = await ctx.request("/api/v1/tasks?q=harb&limit=200", {
      token: user.accessToken,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: number }[]).map((task) => task.id);
  };
  const before = await search();
  expect(before).toHaveLength(40);

  // No time: nothing is done.
  expect(mergeSearchIndexes(sqliteOf(ctx.deps), 0)).toBe(0);
  const steps = mergeSearchIndexes(sqliteOf(ctx.deps), Number.POSITIVE_INFINITY);
  expect(steps).toBeGreaterThan(0);
  // Down to one segment: a second pass finds nothing to merge.
  expect(mergeSearchIndexes(sqliteOf(ctx.deps), Number.POSITIVE_INFINITY)).toBe(0);
  const integrity = () =>
    sqliteOf(ctx.deps).run("INSERT INTO tasks_fts(tasks_fts, rank) VALUES('integrity-check', 1)");
  expect(integrity).not.toThrow();

  expect(await search()).toEqual(before);
});

test("the scheduler merges the segments on its interval, not at start", async () => {
  const ctx = await createTestContext({}, { sqliteOnly: true });
  const user = await createUser(ctx);
  for (let i = 0; i < 40; i++) await createTask(ctx, user, { title: `lighthouse ${i}` });
  const sqlite = sqliteOf(ctx.deps);
  // What is left to merge, measured on a copy so that measuring merges nothing here.
  const pending = () => mergeSearchIndexes(Database.deserialize(sqlite.serialize()), Infinity);
  expect(pending()).toBeGreaterThan(0);

  const scheduler = createScheduler(ctx.deps, 20);
  scheduler.start();
  try {
    expect(pending()).toBeGreaterThan(0);
    await Bun.sleep(120);
    expect(pending()).toBe(0);
  } finally {
    scheduler.stop();
  }
});

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryWindowCounters, whenReady } from "../src/platform/shared/counters";
import {
  createSharedCountersTable,
  SHARED_COUNTERS_DDL,
  SqlWindowCounters,
} from "../src/platform/shared/sql-counters";
import { FakeClock } from "./support/clock";
import { sqliteSql } from "./support/minimal-sql";
import { describeWindowCountersContract } from "./support/window-counters-contract";

describeWindowCountersContract("memory", async () => {
  // One process has one memory store: both "instances" are it.
  const store = new MemoryWindowCounters();
  const clock = new FakeClock();
  return {
    a: store,
    b: store,
    windowMs: 60_000,
    now: () => clock.now(),
    elapse: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});

// Two connections to one database file, as two processes on one SQLite database would have.
describeWindowCountersContract("SQL on SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kanbun-counters-"));
  const path = join(dir, "shared.db");
  const first = new Database(path, { create: true, strict: true });
  first.run("PRAGMA journal_mode = WAL");
  const second = new Database(path, { strict: true });
  const sqlA = sqliteSql(first);
  await createSharedCountersTable(sqlA);
  const clock = new FakeClock();
  return {
    a: new SqlWindowCounters(sqlA),
    b: new SqlWindowCounters(sqliteSql(second)),
    windowMs: 60_000,
    now: () => clock.now(),
    elapse: async (ms) => clock.advance(ms),
    close: async () => {
      first.close();
      second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("memory counters", () => {
  test("answer synchronously, so the rate limiter needs no promise per request", () => {
    const store = new MemoryWindowCounters();
    const hit = store.hit("a", 1000, 0);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toEqual({ count: 1, resetAt: 1000 });
    // What a caller gets back is a copy: changing it changes no count.
    hit.count = 50;
    expect(store.peek("a", 0)).toEqual({ count: 1, resetAt: 1000 });
    expect(whenReady(store.hit("a", 1000, 10), (h) => h.count)).toBe(2);
  });

  test("whenReady waits for a store that answers later", async () => {
    const later = Promise.resolve({ count: 3, resetAt: 5 });
    const counted = whenReady(later, (h) => h.count);
    expect(counted).toBeInstanceOf(Promise);
    expect(await counted).toBe(3);
  });

  test("keep at most maxKeys, forgetting the least recently used", () => {
    const store = new MemoryWindowCounters(3);
    store.hit("first", 1000, 0);
    store.hit("kept", 1000, 0);
    store.hit("third", 1000, 0);
    store.hit("kept", 1000, 0); // used again: now the most recent
    store.hit("one-too-many", 1000, 0);
    expect(store.peek("first", 0)).toBeNull();
    expect(store.peek("kept", 0)?.count).toBe(2);
    expect(store.peek("third", 0)?.count).toBe(1);
  });

  test("a sweep says how many ended windows it dropped", () => {
    const store = new MemoryWindowCounters();
    store.hit("a", 1000, 0);
    store.hit("b", 1000, 0);
    store.hold("c", 5000, 0);
    expect(store.sweep(999)).toBe(0);
    expect(store.sweep(1000)).toBe(2);
    expect(store.peek("c", 1000)).toEqual({ count: 1, resetAt: 5000 });
  });
});

describe("SQL counters", () => {
  test("the table's DDL can run again on a database that has it", async () => {
    const db = new Database(":memory:", { strict: true });
    const sql = sqliteSql(db);
    await createSharedCountersTable(sql);
    await createSharedCountersTable(sql);
    const columns = db.query("PRAGMA table_info(shared_counters)").all() as { name: string }[];
    expect(columns.map((c) => c.name)).toEqual(["key", "count", "reset_at"]);
    expect(SHARED_COUNTERS_DDL).toHaveLength(2);
    db.close();
  });

  test("a sweep deletes only ended rows and says how many", async () => {
    const db = new Database(":memory:", { strict: true });
    const sql = sqliteSql(db);
    await createSharedCountersTable(sql);
    const store = new SqlWindowCounters(sql);
    const start = Date.parse("2026-11-21T10:00:00.000Z");
    await store.hit("a", 60_000, start);
    await store.hit("b", 60_000, start);
    await store.hit("c", 120_000, start);
    expect(await store.sweep(start + 59_999)).toBe(0);
    expect(await store.sweep(start + 60_000)).toBe(2);
    const left = db.query("SELECT key, count, reset_at FROM shared_counters").all();
    expect(left).toEqual([{ key: "c", count: 1, reset_at: start + 120_000 }]);
    db.close();
  });

  test("an ended row is restarted in place by the next hit, before any sweep", async () => {
    const db = new Database(":memory:", { strict: true });
    const sql = sqliteSql(db);
    await createSharedCountersTable(sql);
    const store = new SqlWindowCounters(sql);
    for (let i = 0; i < 5; i++) await store.hit("a", 1000, 0);
    expect(await store.hit("a", 1000, 1000)).toEqual({ count: 1, resetAt: 2000 });
    expect(db.query("SELECT count(*) AS n FROM shared_counters").get()).toEqual({ n: 1 });
    db.close();
  });
});

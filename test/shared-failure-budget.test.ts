import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryWindowCounters } from "../src/platform/shared/counters";
import {
  counterLedger,
  createSharedFailureBudget,
  isBudgetRefusal,
  type Serialize,
} from "../src/platform/shared/failure-budget";
import { createSharedCountersTable, SqlWindowCounters } from "../src/platform/shared/sql-counters";
import { FakeClock } from "./support/clock";
import { describeSharedFailureBudgetContract } from "./support/failure-budget-contract";
import { sqliteSql } from "./support/minimal-sql";

describeSharedFailureBudgetContract("memory", async () => {
  const store = new MemoryWindowCounters();
  const clock = new FakeClock();
  return {
    a: store,
    b: store,
    windowMs: 15 * 60_000,
    now: () => clock.now(),
    elapse: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});

describeSharedFailureBudgetContract("SQL on SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kanbun-budget-"));
  const first = new Database(join(dir, "shared.db"), { create: true, strict: true });
  first.run("PRAGMA journal_mode = WAL");
  const second = new Database(join(dir, "shared.db"), { strict: true });
  await createSharedCountersTable(sqliteSql(first));
  const clock = new FakeClock();
  return {
    a: new SqlWindowCounters(sqliteSql(first)),
    b: new SqlWindowCounters(sqliteSql(second)),
    windowMs: 15 * 60_000,
    now: () => clock.now(),
    elapse: async (ms) => clock.advance(ms),
    close: async () => {
      first.close();
      second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("shared failure budget", () => {
  const clock = new FakeClock();

  test("a ledger that fails hands the place back and the error on", async () => {
    const counters = new MemoryWindowCounters();
    const budget = createSharedFailureBudget({
      limit: 2,
      counters,
      ledger: {
        current: () => Promise.reject(new Error("database away")),
        record: () => {},
      },
      clock,
      holdPrefix: "ban-held:",
    });
    await expect(budget.reserve("192.0.2.1")).rejects.toThrow("database away");
    expect(counters.peek("ban-held:192.0.2.1", clock.now())?.count).toBe(0);
  });

  test("a failure that cannot be recorded still hands the place back", async () => {
    const counters = new MemoryWindowCounters();
    const budget = createSharedFailureBudget({
      limit: 1,
      counters,
      ledger: {
        current: () => null,
        record: () => Promise.reject(new Error("database away")),
      },
      clock,
      holdPrefix: "ban-held:",
    });
    const place = await budget.reserve("192.0.2.1");
    if (isBudgetRefusal(place)) throw new Error("expected a place");
    await expect(place.settle(true)).rejects.toThrow("database away");
    expect(counters.peek("ban-held:192.0.2.1", clock.now())?.count).toBe(0);
  });

  test("serialized, an attempt that reads while another settles gets the place that is free", async () => {
    const counters = new MemoryWindowCounters();
    const ledger = counterLedger(counters, 60_000, "f:");
    // The first failure is counted, then its settle stalls before handing its place back.
    const { promise: stalled, resolve: resume } = Promise.withResolvers<void>();
    const counted = Promise.withResolvers<void>();
    let stall = true;
    const budget = createSharedFailureBudget({
      limit: 2,
      counters,
      ledger: {
        current: ledger.current,
        async record(key, now) {
          await ledger.record(key, now);
          if (!stall) return;
          stall = false;
          counted.resolve();
          await stalled;
        },
      },
      clock,
      holdPrefix: "h:",
      serialize: createMutex(),
    });
    const first = await budget.reserve("user:1");
    if (isBudgetRefusal(first)) throw new Error("expected a place");
    const settling = first.settle(true);
    await counted.promise;
    // One failure and nothing in progress: one place is free. Unserialized, this attempt would
    // see the first both as a failure and as a place still held, and be refused.
    const second = budget.reserve("user:1");
    resume();
    await settling;
    expect(isBudgetRefusal(await second)).toBe(false);
    expect(await budget.reserve("user:1")).toEqual({ retryAfterSeconds: 1, inProgress: true });
  });

  test("holds last the default lease of a minute", async () => {
    const counters = new MemoryWindowCounters();
    const budget = createSharedFailureBudget({
      limit: 5,
      counters,
      ledger: counterLedger(counters, 60_000, "f:"),
      clock,
      holdPrefix: "h:",
    });
    await budget.reserve("k");
    expect(counters.peek("h:k", clock.now())?.resetAt).toBe(clock.now() + 60_000);
  });
});

/** Runs each step after the one before it has ended, as the database's write lock does. */
function createMutex(): Serialize {
  let last: Promise<unknown> = Promise.resolve();
  return (steps) => {
    const run = last.then(steps, steps);
    last = run.catch(() => {});
    return run;
  };
}

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createWindowCounter } from "../src/platform/http/rate-limit";
import { MemoryWindowCounters } from "../src/platform/shared/counters";
import { createSharedWindowCounter } from "../src/platform/shared/rate-window";
import { createSharedCountersTable, SqlWindowCounters } from "../src/platform/shared/sql-counters";
import { FakeClock } from "./support/clock";
import { sqliteSql } from "./support/minimal-sql";

/** Random traffic: which of a few addresses asks, and how long after the one before. */
const traffic = fc.array(
  fc.record({ key: fc.constantFrom("a", "b", "c"), after: fc.integer({ min: 0, max: 40_000 }) }),
  { maxLength: 60 },
);

describe("the rate limiter's counter over shared counters", () => {
  test("on the memory store answers at once, exactly as today's counter does", () => {
    fc.assert(
      fc.property(traffic, fc.integer({ min: 1, max: 5 }), (requests, max) => {
        const clock = new FakeClock();
        const today = createWindowCounter(max, 60_000, clock);
        const shared = createSharedWindowCounter(
          new MemoryWindowCounters(),
          max,
          60_000,
          clock,
          "rate:",
        );
        for (const { key, after } of requests) {
          clock.advance(after);
          expect(shared(key)).toEqual(today(key));
        }
      }),
    );
  });

  test("on the SQL store answers the same, later", async () => {
    const db = new Database(":memory:", { strict: true });
    const sql = sqliteSql(db);
    await createSharedCountersTable(sql);
    const clock = new FakeClock();
    const today = createWindowCounter(2, 60_000, clock);
    const shared = createSharedWindowCounter(new SqlWindowCounters(sql), 2, 60_000, clock, "rate:");
    for (const after of [0, 10_500, 0, 0, 49_500, 1]) {
      clock.advance(after);
      const answer = shared("192.0.2.1");
      expect(answer).toBeInstanceOf(Promise);
      expect(await answer).toEqual(today("192.0.2.1"));
    }
    db.close();
  });

  test("limits sharing one store keep their keys apart by prefix", () => {
    const clock = new FakeClock();
    const store = new MemoryWindowCounters();
    const global = createSharedWindowCounter(store, 300, 60_000, clock, "rate:");
    const auth = createSharedWindowCounter(store, 1, 60_000, clock, "auth-rate:");
    global("192.0.2.1");
    global("192.0.2.1");
    expect(auth("192.0.2.1")).toMatchObject({ remaining: 0, exceeded: false });
    expect(store.peek("rate:192.0.2.1", clock.now())?.count).toBe(2);
  });
});

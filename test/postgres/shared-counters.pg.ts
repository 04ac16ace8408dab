import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import {
  createSharedCountersTable,
  SqlWindowCounters,
} from "../../src/platform/shared/sql-counters";
import { createScratchDatabase } from "../support/backends";
import { FakeClock } from "../support/clock";
import { describeSharedFailureBudgetContract } from "../support/failure-budget-contract";
import { postgresSql } from "../support/minimal-sql";
import {
  type CountersBackend,
  describeWindowCountersContract,
} from "../support/window-counters-contract";

// Two connection pools, as two Kanbun instances on one PostgreSQL server would have.
async function openPostgresCounters(): Promise<CountersBackend> {
  const database = await createScratchDatabase();
  const first = new SQL(database.url, { max: 8 });
  const second = new SQL(database.url, { max: 8 });
  const sqlA = postgresSql(first);
  await createSharedCountersTable(sqlA);
  const clock = new FakeClock();
  return {
    a: new SqlWindowCounters(sqlA),
    b: new SqlWindowCounters(postgresSql(second)),
    windowMs: 60_000,
    now: () => clock.now(),
    elapse: async (ms) => clock.advance(ms),
    close: async () => {
      await first.close();
      await second.close();
      await database.drop();
    },
  };
}

describeWindowCountersContract("SQL on PostgreSQL", openPostgresCounters);
describeSharedFailureBudgetContract("SQL on PostgreSQL", openPostgresCounters);

describe("SQL counters on PostgreSQL", () => {
  test("the first hits on a new key, racing to insert its row, are all counted", async () => {
    const database = await createScratchDatabase();
    const clients = Array.from({ length: 4 }, () => new SQL(database.url, { max: 4 }));
    try {
      const stores = clients.map((client) => new SqlWindowCounters(postgresSql(client)));
      await createSharedCountersTable(postgresSql(clients[0] as SQL));
      const now = Date.now();
      for (let round = 0; round < 5; round++) {
        const key = `fresh-${round}`;
        const hits = await Promise.all(
          Array.from({ length: 16 }, (_, i) => stores[i % 4]?.hit(key, 60_000, now)),
        );
        expect(hits.map((hit) => hit?.count).sort((x = 0, y = 0) => x - y)).toEqual(
          Array.from({ length: 16 }, (_, i) => i + 1),
        );
        // Times past 2^31 ms come back as numbers, not strings.
        expect(hits[0]?.resetAt).toBe(now + 60_000);
      }
      expect(await stores[1]?.sweep(now + 60_000)).toBe(5);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await database.drop();
    }
  });
});

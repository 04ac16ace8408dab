import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { createPostgresWake } from "../../src/platform/shared/postgres-wake";
import { WAKE_CHANNEL } from "../../src/platform/shared/wake";
import { createScratchDatabase, type ScratchDatabase } from "../support/backends";
import { counter, describeFeedWakeContract, eventually } from "../support/wake-contract";

function recordingLog() {
  const lines: string[] = [];
  return { lines, warn: (message: string) => lines.push(message) };
}

/** Two clients on one scratch database, as two instances would have, with their wakes. */
async function openPair() {
  const database = await createScratchDatabase();
  const clientA = new SQL(database.url, { max: 2 });
  const clientB = new SQL(database.url, { max: 2 });
  const log = recordingLog();
  const a = await createPostgresWake(clientA, log);
  const b = await createPostgresWake(clientB, log);
  return {
    a,
    b,
    clientA,
    clientB,
    database,
    log,
    async close() {
      await a.close();
      await b.close();
      await clientA.close();
      await clientB.close();
      await database.drop();
    },
  };
}

describeFeedWakeContract("PostgreSQL LISTEN/NOTIFY", openPair, 150);

/** Ends the server side of every LISTEN connection to `database`, as a network drop would. */
async function dropListeners(admin: SQL, database: ScratchDatabase) {
  const name = new URL(database.url).pathname.slice(1);
  const rows = await admin`SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
    WHERE datname = ${name} AND query ILIKE 'LISTEN%'`;
  return rows.length as number;
}

describe("PostgreSQL wake", () => {
  test("after its connection drops it listens again and wakes once, then delivers as before", async () => {
    const pair = await openPair();
    const admin = new SQL(pair.database.url, { max: 1 });
    try {
      const onB = counter(pair.b);
      expect(await dropListeners(admin, pair.database)).toBe(2);
      // No signal was sent: the wake says the feed may have missed some.
      await eventually(() => onB.count() === 1, 10_000);
      expect(pair.log.lines).toContain("feed wake listening again after a lost connection");
      await Bun.sleep(150);
      expect(onB.count()).toBe(1);
      pair.a.signal();
      await eventually(() => onB.count() === 2);
    } finally {
      await admin.close();
      await pair.close();
    }
  });

  test("notifications arriving together make one wake", async () => {
    const pair = await openPair();
    try {
      const onB = counter(pair.b);
      // Twenty different payloads (identical ones PostgreSQL itself folds), delivered at commit.
      await pair.clientA`SELECT pg_notify(${WAKE_CHANNEL}, n::text) FROM generate_series(1, 20) AS n`;
      await eventually(() => onB.count() >= 1);
      await Bun.sleep(150);
      expect(onB.count()).toBe(1);
    } finally {
      await pair.close();
    }
  });

  test("a NOTIFY that cannot be sent is logged, not thrown", async () => {
    const pair = await openPair();
    try {
      await pair.clientA.close();
      pair.a.signal();
      await eventually(() => pair.log.lines.includes("feed wake not sent"));
    } finally {
      await pair.close();
    }
  });
});

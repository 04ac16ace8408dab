import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { enqueueJob } from "../../src/modules/jobs/queue";
import { createJobWorker } from "../../src/modules/jobs/worker";
import { type StoredEvent, selectEventsAfter } from "../../src/modules/realtime/event-rows";
import { recordEvent } from "../../src/modules/realtime/events";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import type { Sql } from "../../src/platform/db/sql";
import { createLogger } from "../../src/platform/logging";
import type { ScratchDatabase } from "../support/backends";
import { FakeClock } from "../support/clock";
import { createUser } from "../support/factories";
import { createKanbunDatabase, type Instance, openInstance } from "../support/instances";

/**
 * What must happen once however many instances share one PostgreSQL database: a job runs once,
 * an Idempotency-Key's request runs once, and events commit in `seq` order so that no feed ever
 * reads past one still to commit.
 */

let database: ScratchDatabase;
let sqlA: Sql;
let sqlB: Sql;

beforeAll(async () => {
  database = await createKanbunDatabase();
  sqlA = createPostgresSql(database.url, { max: 4 });
  sqlB = createPostgresSql(database.url, { max: 4 });
});

afterAll(async () => {
  await sqlA.close();
  await sqlB.close();
  await database.drop();
});

describe("the job queue on two instances", () => {
  test("workers on two Sql clients run each of 50 due jobs exactly once", async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const handlers = {
      count: {
        async run(payload: unknown) {
          // A job that takes a moment, so that both workers are busy at once.
          await Bun.sleep(2);
          runs.push((payload as { n: number }).n);
        },
      },
    };
    await sqlA.transaction(async () => {
      for (let n = 0; n < 50; n++) await enqueueJob(sqlA, clock, "count", { n });
    });
    const log = createLogger("silent");
    // Three workers per client, as three instances on each of two machines might claim at once.
    const workers = [sqlA, sqlB, sqlA, sqlB, sqlA, sqlB].map((sql) =>
      createJobWorker({ sql, clock, log, handlers, batchSize: 3 }),
    );
    const ran = await Promise.all(workers.map((worker) => worker.runDueJobs()));
    expect(ran[0]).toBeGreaterThan(0);
    expect(ran[1]).toBeGreaterThan(0);
    expect(ran.reduce((sum, n) => sum + n, 0)).toBe(50);
    expect(runs.toSorted((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    const states = await sqlA.all<{ status: string; attempts: number }>(
      "SELECT status, attempts FROM jobs WHERE type = 'count'",
    );
    expect(states.every((job) => job.status === "done" && job.attempts === 1)).toBe(true);
  });
});

describe("Idempotency-Key on two instances", () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    a = await openInstance(database.url);
    b = await openInstance(database.url);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  test("the same key through A and B at once: exactly one request runs", async () => {
    const user = await createUser(a);
    for (let round = 0; round < 10; round++) {
      const key = `key-${round}-${crypto.randomUUID()}`;
      const responses = await Promise.all(
        [a, b, a, b].map((instance) =>
          instance.request("/api/v1/tasks", {
            token: user.accessToken,
            headers: { "idempotency-key": key },
            body: { title: `Once ${round}` },
          }),
        ),
      );
      const fresh = responses.filter(
        (response) => response.status === 201 && !response.headers.has("idempotent-replayed"),
      );
      expect(fresh).toHaveLength(1);
      for (const response of responses) expect([201, 409]).toContain(response.status);
      const rows = await sqlA.all<{ n: number }>(
        "SELECT count(*) AS n FROM tasks WHERE owner_id = ? AND title = ?",
        [user.id, `Once ${round}`],
      );
      expect(rows[0]?.n).toBe(1);
    }
  });
});

describe("events on PostgreSQL", () => {
  test("interleaved transactions on two clients commit in seq order: a reader never skips one", async () => {
    const event = (id: number) => ({
      type: "task.created" as const,
      boardId: null,
      userId: 1,
      data: { id },
    });
    const start = await sqlA.get<{ head: number | null }>("SELECT max(seq) AS head FROM events");
    let cursor = start?.head ?? 0;
    const seen: StoredEvent[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing || seen.length < 120) {
        const batch = await selectEventsAfter(sqlB, cursor, Number.MAX_SAFE_INTEGER, 1000);
        for (const row of batch) {
          // A gap would be an event that committed before one with a lower seq.
          expect(row.seq).toBe(cursor + 1);
          cursor = row.seq;
          seen.push(row);
        }
        if (batch.length === 0) await Bun.sleep(1);
      }
    })();
    const writer = (sql: Sql, first: number) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          sql.transaction(async () => {
            await recordEvent(sql, Date.now(), event(first + i * 3));
            // Hold the transaction open a while after taking its seq: without the write lock a
            // later transaction would commit first, and the reader would see its seq first.
            await Bun.sleep(Math.random() * 5);
            await recordEvent(sql, Date.now(), event(first + i * 3 + 1));
            await recordEvent(sql, Date.now(), event(first + i * 3 + 2));
          }),
        ),
      );
    await Promise.all([writer(sqlA, 0), writer(sqlB, 60)]);
    writing = false;
    await reader;
    expect(seen).toHaveLength(120);
  });
});

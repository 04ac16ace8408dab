import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { enqueueEmail, type JobHandlers } from "../src/modules/jobs/handlers";
import { enqueueJob } from "../src/modules/jobs/queue";
import { createJobWorker, describeError } from "../src/modules/jobs/worker";
import { jobs } from "../src/platform/db/tables";
import { createTestContext, type TestContext } from "./support/app";
import { dbOf } from "./support/orm";

const MINUTE = 60_000;

/** A handler that fails `failures` times, then succeeds, recording every payload it saw. */
function flaky(failures: number, message = "mail server said no") {
  const seen: unknown[] = [];
  let left = failures;
  const handlers: JobHandlers = {
    test: {
      run: async (payload) => {
        seen.push(payload);
        if (left > 0) {
          left -= 1;
          throw new Error(message);
        }
      },
      redact: () => ({ redacted: true }),
    },
  };
  return { seen, handlers };
}

/**
 * A started worker that polls too rarely to matter, so a job runs only when its enqueue kicks
 * the worker; `kicked` is what enqueueJob takes to do that.
 */
async function startedKickWorker() {
  const ctx = await createTestContext();
  const { seen, handlers } = flaky(0);
  const worker = workerFor(ctx, handlers, { pollIntervalMs: 60_000 });
  await worker.start();
  return { ctx, seen, worker, kicked: { clock: ctx.clock, jobs: worker } };
}

function workerFor(ctx: TestContext, handlers: JobHandlers, extra = {}) {
  return createJobWorker({
    sql: ctx.deps.sql,
    clock: ctx.clock,
    log: ctx.deps.log,
    handlers,
    backoffBaseMs: 1000,
    backoffCapMs: 5000,
    ...extra,
  });
}

async function enqueue(ctx: TestContext, type: string, payload: unknown, maxAttempts?: number) {
  return await ctx.deps.sql.transaction(async () =>
    enqueueJob(ctx.deps.sql, ctx.clock, type, payload, { maxAttempts }),
  );
}

async function job(ctx: TestContext, id: number) {
  const row = await dbOf(ctx.deps).select().from(jobs).where(eq(jobs.id, id)).get();
  if (!row) throw new Error(`job ${id} is gone`);
  return row;
}

describe("worker", () => {
  test("runs a due job once and keeps only the redacted payload", async () => {
    const ctx = await createTestContext();
    const { seen, handlers } = flaky(0);
    const worker = workerFor(ctx, handlers);
    const id = await enqueue(ctx, "test", { secret: "123456" });
    expect((await job(ctx, id)).status).toBe("pending");
    expect(await worker.runDueJobs()).toBe(1);
    expect(seen).toEqual([{ secret: "123456" }]);
    const done = await job(ctx, id);
    expect([done.status, done.attempts, done.lastError]).toEqual(["done", 1, null]);
    expect(JSON.parse(done.payload)).toEqual({ redacted: true });
    expect(await worker.runDueJobs()).toBe(0);
    expect(seen).toHaveLength(1);
  });

  test("a job delayed into the future waits for its time", async () => {
    const ctx = await createTestContext();
    const { seen, handlers } = flaky(0);
    const worker = workerFor(ctx, handlers);
    await ctx.deps.sql.transaction(async () =>
      enqueueJob(ctx.deps.sql, ctx.deps, "test", {}, { delayMs: MINUTE }),
    );
    expect(await worker.runDueJobs()).toBe(0);
    ctx.clock.advance(MINUTE);
    expect(await worker.runDueJobs()).toBe(1);
    expect(seen).toHaveLength(1);
  });

  test("retries with exponential backoff, then succeeds", async () => {
    const ctx = await createTestContext();
    const { seen, handlers } = flaky(2);
    const worker = workerFor(ctx, handlers);
    const start = ctx.clock.now();
    const id = await enqueue(ctx, "test", { n: 1 });

    await worker.runDueJobs();
    let row = await job(ctx, id);
    expect([row.status, row.attempts, row.lastError]).toEqual([
      "pending",
      1,
      "mail server said no",
    ]);
    expect(row.runAt).toBe(start + 2000); // base × 2^1
    expect(await worker.runDueJobs()).toBe(0); // not due yet

    ctx.clock.advance(2000);
    await worker.runDueJobs();
    row = await job(ctx, id);
    expect([row.status, row.attempts]).toEqual(["pending", 2]);
    expect(row.runAt).toBe(start + 2000 + 4000); // base × 2^2

    ctx.clock.advance(4000);
    await worker.runDueJobs();
    row = await job(ctx, id);
    expect([row.status, row.attempts, row.lastError]).toEqual(["done", 3, null]);
    expect(seen).toHaveLength(3);
  });

  test("the backoff is capped", async () => {
    const ctx = await createTestContext();
    const { handlers } = flaky(10);
    const worker = workerFor(ctx, handlers);
    const id = await enqueue(ctx, "test", {}, 10);
    for (let i = 0; i < 4; i += 1) {
      await worker.runDueJobs();
      ctx.clock.advance((await job(ctx, id)).runAt - ctx.clock.now());
    }
    const row = await job(ctx, id);
    expect(row.attempts).toBe(4);
    await worker.runDueJobs();
    expect((await job(ctx, id)).runAt - ctx.clock.now()).toBe(5000);
  });

  test("after max_attempts the job is failed, with a last_error free of codes", async () => {
    const ctx = await createTestContext();
    const { seen, handlers } = flaky(
      99,
      "rejected message with code 654321 for smtp://bob:hunter2@mx",
    );
    const worker = workerFor(ctx, handlers);
    const id = await enqueue(ctx, "test", { code: "654321" }, 3);
    for (let i = 0; i < 5; i += 1) {
      await worker.runDueJobs();
      ctx.clock.advance(10_000);
    }
    expect(seen).toHaveLength(3);
    const row = await job(ctx, id);
    expect([row.status, row.attempts]).toEqual(["failed", 3]);
    expect(row.lastError).toBe("rejected message with code ****** for smtp://***@mx");
    expect(row.payload).not.toContain("654321");
    expect(ctx.logs.some((line) => line.msg === "job failed" && line.job_id === id)).toBe(true);
  });

  test("a job type without a handler fails at once", async () => {
    const ctx = await createTestContext();
    const worker = workerFor(ctx, {});
    const id = await enqueue(ctx, "nobody.handles.this", {});
    await worker.runDueJobs();
    const row = await job(ctx, id);
    expect([row.status, row.attempts]).toEqual(["failed", 1]);
    expect(row.lastError).toBe('No handler for job type "nobody.handles.this"');
  });

  test("a job that hangs times out and is retried", async () => {
    const ctx = await createTestContext();
    const worker = workerFor(
      ctx,
      { test: { run: () => new Promise(() => {}) } },
      { jobTimeoutMs: 20 },
    );
    const id = await enqueue(ctx, "test", {});
    await worker.runDueJobs();
    const row = await job(ctx, id);
    expect([row.status, row.lastError]).toEqual(["pending", "Timed out after 20 ms"]);
  });

  test("a job survives a restart: a new worker on the same database runs it", async () => {
    const ctx = await createTestContext();
    const first = workerFor(ctx, flaky(0).handlers);
    const waiting = await enqueue(ctx, "test", { n: "waiting" });
    const interrupted = await enqueue(ctx, "test", { n: "interrupted" });
    // The first process claimed one job and died before finishing it.
    await dbOf(ctx.deps)
      .update(jobs)
      .set({ status: "running", attempts: 1 })
      .where(eq(jobs.id, interrupted))
      .run();
    await first.stop();

    const { seen, handlers } = flaky(0);
    const second = workerFor(ctx, handlers, { pollIntervalMs: 60_000 });
    await second.start();
    await second.runDueJobs();
    await second.stop();
    expect(seen).toEqual([{ n: "waiting" }, { n: "interrupted" }]);
    expect((await job(ctx, waiting)).status).toBe("done");
    expect([(await job(ctx, interrupted)).status, (await job(ctx, interrupted)).attempts]).toEqual([
      "done",
      2,
    ]);
    expect(ctx.logs.some((line) => line.msg === "requeued jobs interrupted by a restart")).toBe(
      true,
    );
  });

  test("a started worker runs a job right after the transaction commits, not on rollback", async () => {
    const { ctx, seen, worker, kicked } = await startedKickWorker();
    try {
      await ctx.deps.sql.transaction(async () =>
        enqueueJob(ctx.deps.sql, kicked, "test", { n: 1 }),
      );
      expect(seen).toHaveLength(0); // never inside the transaction
      await expect(
        ctx.deps.sql.transaction(async () => {
          await enqueueJob(ctx.deps.sql, kicked, "test", { n: 2 });
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      for (let i = 0; i < 50 && seen.length === 0; i += 1) await Bun.sleep(5);
      expect(seen).toEqual([{ n: 1 }]);
      expect(await dbOf(ctx.deps).select().from(jobs).all()).toHaveLength(1);
    } finally {
      await worker.stop();
    }
    expect(await worker.runDueJobs()).toBe(0);
  });

  test("a kick's run waits for a transaction that is still open a tick later, and never joins it", async () => {
    const { ctx, seen, worker, kicked } = await startedKickWorker();
    try {
      // The kick's timer fires while each transaction is still open (as it does on PostgreSQL,
      // where every statement is a round trip): its run must not become part of it.
      await expect(
        ctx.deps.sql.transaction(async () => {
          await enqueueJob(ctx.deps.sql, kicked, "test", { n: 1 });
          await Bun.sleep(20);
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      await ctx.deps.sql.transaction(async () => {
        await enqueueJob(ctx.deps.sql, kicked, "test", { n: 2 });
        await Bun.sleep(20);
        expect(seen).toHaveLength(0);
      });
      for (let i = 0; i < 50 && seen.length === 0; i += 1) await Bun.sleep(5);
      expect(seen).toEqual([{ n: 2 }]);
      const rows = await dbOf(ctx.deps).select().from(jobs).all();
      expect(rows.map((row) => [row.status, row.attempts])).toEqual([["done", 1]]);
    } finally {
      await worker.stop();
    }
  });

  test("a stopped worker neither polls nor wakes", async () => {
    const ctx = await createTestContext();
    const { seen, handlers } = flaky(0);
    const worker = workerFor(ctx, handlers, { pollIntervalMs: 5 });
    await worker.start();
    await worker.stop();
    const id = await ctx.deps.sql.transaction(async () =>
      enqueueJob(ctx.deps.sql, { clock: ctx.clock, jobs: worker }, "test", {}),
    );
    await Bun.sleep(30);
    expect(seen).toHaveLength(0);
    expect((await job(ctx, id)).status).toBe("pending");
  });

  test("stop() lets the job in flight finish and starts no other job of the batch", async () => {
    const ctx = await createTestContext();
    const seen: unknown[] = [];
    let finish = () => {};
    const handlers: JobHandlers = {
      test: {
        run: (payload) => {
          seen.push(payload);
          return new Promise<void>((resolve) => {
            finish = resolve;
          });
        },
      },
    };
    const worker = workerFor(ctx, handlers);
    const ids: number[] = [];
    for (const n of [1, 2, 3]) ids.push(await enqueue(ctx, "test", { n }));
    const draining = worker.runDueJobs();
    for (let i = 0; i < 50 && seen.length === 0; i += 1) await Bun.sleep(1);
    expect(seen).toEqual([{ n: 1 }]);
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await Bun.sleep(10);
    expect(stopped).toBe(false); // still waiting for the job in flight
    finish();
    await stopping;
    expect(await draining).toBe(1);
    expect(seen).toEqual([{ n: 1 }]);
    const rows = await Promise.all(ids.map((id) => job(ctx, id)));
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ["done", 1],
      ["pending", 0], // handed back untouched, for the next start
      ["pending", 0],
    ]);
  });

  test("stop() gives up on a hung job after its grace period", async () => {
    const ctx = await createTestContext();
    const started: unknown[] = [];
    const worker = workerFor(
      ctx,
      {
        test: {
          run: (payload) => {
            started.push(payload);
            return new Promise(() => {});
          },
        },
      },
      { stopGraceMs: 20, jobTimeoutMs: 100 },
    );
    const id = await enqueue(ctx, "test", {});
    void worker.runDueJobs();
    for (let i = 0; i < 50 && started.length === 0; i += 1) await Bun.sleep(1);
    await worker.stop();
    expect((await job(ctx, id)).status).toBe("running"); // requeued by recoverInterrupted at next start
    expect(
      ctx.logs.some((line) => line.level === "warn" && String(line.msg).includes("stop")),
    ).toBe(true);
  });

  test("a payload that is not JSON fails for good at once, not after retries", async () => {
    const ctx = await createTestContext();
    const { seen, handlers } = flaky(0);
    const worker = workerFor(ctx, handlers);
    const id = await enqueue(ctx, "test", {});
    await dbOf(ctx.deps).update(jobs).set({ payload: "{not json" }).where(eq(jobs.id, id)).run();
    expect(await worker.runDueJobs()).toBe(1);
    const row = await job(ctx, id);
    expect([row.status, row.attempts, row.lastError]).toEqual([
      "failed",
      1,
      "Payload is not valid JSON",
    ]);
    expect(row.payload).toBe("{}");
    expect(seen).toEqual([]);
  });

  test("a payload the handler does not accept fails for good at once", async () => {
    const ctx = await createTestContext();
    const seen: unknown[] = [];
    const worker = workerFor(ctx, {
      test: {
        accepts: (payload) => (payload as { n?: unknown }).n === 1,
        run: async (payload) => {
          seen.push(payload);
        },
      },
    });
    const bad = await enqueue(ctx, "test", { n: 2 });
    const good = await enqueue(ctx, "test", { n: 1 });
    expect(await worker.runDueJobs()).toBe(2);
    expect([
      (await job(ctx, bad)).status,
      (await job(ctx, bad)).attempts,
      (await job(ctx, bad)).lastError,
    ]).toEqual(["failed", 1, 'Invalid payload for job type "test"']);
    expect((await job(ctx, good)).status).toBe("done");
    expect(seen).toEqual([{ n: 1 }]);
  });

  test("describeError keeps messages short and free of credentials", () => {
    expect(describeError("x".repeat(600))).toHaveLength(500);
    expect(describeError(new Error("auth failed for smtps://me:pw@mail.example"))).toBe(
      "auth failed for smtps://***@mail.example",
    );
  });
});

describe("email jobs", () => {
  test("an email that cannot be sent is retried and then marked failed for admins", async () => {
    const ctx = await createTestContext();
    ctx.mailer.failNext = 99;
    const id = await ctx.deps.sql.transaction(async () =>
      enqueueEmail(
        ctx.deps.sql,
        ctx.deps,
        { to: "a@example.com", subject: "Hello", text: "code\n\n123456\n", html: "<p>123456</p>" },
        { maxAttempts: 2 },
      ),
    );
    await ctx.deps.jobs.runDueJobs();
    expect((await job(ctx, id)).status).toBe("pending");
    ctx.clock.advance((await job(ctx, id)).runAt - ctx.clock.now());
    await ctx.deps.jobs.runDueJobs();
    const row = await job(ctx, id);
    expect([row.status, row.attempts]).toEqual(["failed", 2]);
    expect(row.lastError).toContain("ECONNREFUSED");
    expect(JSON.parse(row.payload)).toEqual({ to: "a@example.com", subject: "Hello" });
  });

  test.each([
    ["a missing body", { to: "a@example.com", subject: "s", html: "" }],
    ["an empty recipient", { to: "", subject: "s", text: "t", html: "" }],
    ["a recipient that is not a string", { to: 5, subject: "s", text: "t", html: "" }],
    ["a payload that is not an object", "a@example.com"],
  ])("an email job with %s fails for good without reaching the mailer", async (_, payload) => {
    const ctx = await createTestContext();
    const id = await ctx.deps.sql.transaction(async () =>
      enqueueJob(ctx.deps.sql, ctx.deps, "email.send", payload),
    );
    expect(await ctx.deps.jobs.runDueJobs()).toBe(1);
    const row = await job(ctx, id);
    expect([row.status, row.attempts, row.lastError]).toEqual([
      "failed",
      1,
      'Invalid payload for job type "email.send"',
    ]);
    expect(ctx.mailer.sent).toEqual([]);
  });
});

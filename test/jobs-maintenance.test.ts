import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { FAILURE_WINDOW_MS } from "../src/modules/auth/address-bans";
import { createScheduler } from "../src/modules/jobs/scheduler";
import {
  authFailures,
  bans,
  dueReminders,
  idempotencyKeys,
  jobs,
  oneTimeCodes,
  passwordResetTokens,
  refreshTokens,
  sessions,
  sharedCounters,
  unsubscribeTokens,
  users,
} from "../src/platform/db/tables";
import { createTestContext, type TestContext } from "./support/app";
import { createTask, createUser, expectProblem, login } from "./support/factories";
import { dbOf } from "./support/orm";

const MINUTE = 60_000;

describe("scheduler", () => {
  test("purges what has expired and keeps what has not", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const other = await createUser(ctx);
    const task = await createTask(ctx, user);
    await login(ctx, user.email, user.password); // a second session
    const db = dbOf(ctx.deps);
    const now = ctx.clock.now();
    const [firstSession, secondSession] = await db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user.id))
      .all();
    if (!firstSession || !secondSession) throw new Error("sessions missing");
    await db.update(sessions).set({ expiresAt: now }).where(eq(sessions.id, firstSession.id)).run();
    await db
      .update(sessions)
      .set({ revokedAt: now - 25 * 60 * MINUTE })
      .where(eq(sessions.userId, other.id))
      .run();
    await db.delete(oneTimeCodes).run();
    await db
      .insert(oneTimeCodes)
      .values([
        {
          userId: user.id,
          purpose: "password_reset",
          codeHash: "a",
          email: user.email,
          createdAt: now,
          expiresAt: now,
        },
        {
          userId: other.id,
          purpose: "password_reset",
          codeHash: "b",
          email: other.email,
          createdAt: now,
          expiresAt: now + 1,
        },
      ])
      .run();
    await db
      .insert(passwordResetTokens)
      .values([
        { userId: user.id, tokenHash: "old", createdAt: now, expiresAt: now - 1 },
        { userId: user.id, tokenHash: "new", createdAt: now, expiresAt: now + MINUTE },
      ])
      .run();
    await db
      .insert(bans)
      .values([
        { ip: "10.0.0.1", reason: "r", createdAt: now, expiresAt: now },
        { ip: "10.0.0.2", reason: "r", createdAt: now, expiresAt: now + MINUTE },
      ])
      .run();
    await db
      .insert(authFailures)
      .values([
        // Kept exactly while they still count towards a ban.
        { ip: "10.0.0.1", createdAt: now - FAILURE_WINDOW_MS },
        { ip: "10.0.0.1", createdAt: now - FAILURE_WINDOW_MS + 1 },
      ])
      .run();
    const key = {
      userId: user.id,
      method: "POST",
      path: "/api/v1/tasks",
      requestHash: "h",
      createdAt: now,
    };
    await db
      .insert(idempotencyKeys)
      .values([
        { ...key, key: "old", expiresAt: now },
        { ...key, key: "new", expiresAt: now + MINUTE },
      ])
      .run();
    const jobBase = { type: "t", payload: "{}", runAt: now, createdAt: now };
    await db.delete(jobs).run();
    await db
      .insert(jobs)
      .values([
        { ...jobBase, status: "done", updatedAt: now - 25 * 60 * MINUTE },
        { ...jobBase, status: "done", updatedAt: now },
        { ...jobBase, status: "failed", updatedAt: now - 29 * 24 * 60 * MINUTE },
        { ...jobBase, status: "pending", updatedAt: now - 90 * 24 * 60 * MINUTE },
      ])
      .run();

    await db
      .insert(dueReminders)
      .values([
        { taskId: task.id, userId: user.id, dueDate: now, createdAt: now - MINUTE },
        { taskId: task.id, userId: user.id, dueDate: now + 1, createdAt: now - MINUTE },
      ])
      .run();
    await db
      .insert(unsubscribeTokens)
      .values([
        { tokenHash: "old", userId: user.id, createdAt: now - 180 * 24 * 60 * MINUTE },
        { tokenHash: "new", userId: user.id, createdAt: now - 179 * 24 * 60 * MINUTE },
      ])
      .run();
    // On PostgreSQL the requests above left running counters of their own: start from none.
    await db.delete(sharedCounters).run();
    await db
      .insert(sharedCounters)
      .values([
        { key: "rate:ended", count: 3, resetAt: now },
        { key: "rate:running", count: 1, resetAt: now + 1 },
      ])
      .run();

    const scheduler = createScheduler(ctx.deps);
    expect(await scheduler.runOnce()).toEqual({
      sessions: 2,
      one_time_codes: 1,
      password_reset_tokens: 1,
      bans: 1,
      auth_failures: 1,
      idempotency_keys: 1,
      jobs: 1,
      events: 0,
      due_reminders: 1,
      unsubscribe_tokens: 1,
      shared_counters: 1,
    });
    expect((await db.select().from(sharedCounters).all()).map((row) => row.key)).toEqual([
      "rate:running",
    ]);
    const left = await db.select().from(sessions).all();
    expect(left.map((s) => s.id)).toEqual([secondSession.id]);
    // Refresh tokens went with their sessions.
    const tokenSessions = new Set(
      (await db.select().from(refreshTokens).all()).map((t) => t.sessionId),
    );
    expect([...tokenSessions]).toEqual([secondSession.id]);
    expect((await db.select().from(oneTimeCodes).all()).map((c) => c.userId)).toEqual([other.id]);
    expect((await db.select().from(passwordResetTokens).all()).map((t) => t.tokenHash)).toEqual([
      "new",
    ]);
    expect((await db.select().from(bans).all()).map((b) => b.ip)).toEqual(["10.0.0.2"]);
    expect(await db.select().from(authFailures).all()).toHaveLength(1);
    expect((await db.select().from(idempotencyKeys).all()).map((k) => k.key)).toEqual(["new"]);
    expect(await db.select().from(jobs).all()).toHaveLength(3);
    expect((await db.select().from(dueReminders).all()).map((r) => r.dueDate)).toEqual([now + 1]);
    expect((await db.select().from(unsubscribeTokens).all()).map((k) => k.tokenHash)).toEqual([
      "new",
    ]);
    expect(ctx.logs.some((line) => line.msg === "purged expired rows")).toBe(true);
    expect((await scheduler.runOnce()).sessions).toBe(0);
  });

  test("runs at start and on its interval until stopped", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const scheduler = createScheduler(ctx.deps, 10);
    ctx.clock.advance(31 * 24 * 60 * MINUTE); // the session has expired
    await scheduler.start();
    expect(
      await dbOf(ctx.deps).select().from(sessions).where(eq(sessions.userId, user.id)).all(),
    ).toEqual([]);
    await login(ctx, user.email, user.password);
    ctx.clock.advance(31 * 24 * 60 * MINUTE);
    await Bun.sleep(40);
    scheduler.stop();
    expect(await dbOf(ctx.deps).select().from(sessions).all()).toEqual([]);
  });
});

describe("GET /api/v1/admin/jobs", () => {
  async function admin(ctx: TestContext) {
    const user = await createUser(ctx);
    await dbOf(ctx.deps).update(users).set({ role: "admin" }).where(eq(users.id, user.id)).run();
    return user;
  }

  test("admins page through failed jobs; others are refused", async () => {
    const ctx = await createTestContext();
    const boss = await admin(ctx);
    const plain = await createUser(ctx);
    await dbOf(ctx.deps).delete(jobs).run();
    const now = ctx.clock.now();
    const row = {
      type: "email.send",
      payload: '{"to":"x"}',
      runAt: now,
      createdAt: now,
      updatedAt: now,
    };
    await dbOf(ctx.deps)
      .insert(jobs)
      .values([
        { ...row, status: "failed", attempts: 5, lastError: "boom 1" },
        { ...row, status: "done", attempts: 1 },
        { ...row, status: "failed", attempts: 5, lastError: "boom 2" },
        { ...row, status: "failed", attempts: 5, lastError: "boom 3" },
      ])
      .run();

    const page = await ctx.request("/api/v1/admin/jobs?status=failed&limit=2", {
      token: boss.accessToken,
    });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("application/json");
    expect(page.headers.get("x-total-count")).toBe("3");
    expect(page.headers.get("link")).toContain('rel="next"');
    const items = (await page.json()) as Record<string, unknown>[];
    expect(items.map((item) => item.last_error)).toEqual(["boom 3", "boom 2"]);
    expect(items[0]).toEqual({
      id: expect.any(Number),
      type: "email.send",
      status: "failed",
      attempts: 5,
      max_attempts: 5,
      run_at: new Date(now).toISOString(),
      last_error: "boom 3",
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
      finished_at: new Date(now).toISOString(),
    });

    const next = await ctx.request("/api/v1/admin/jobs?status=failed&limit=2&offset=2", {
      token: boss.accessToken,
    });
    expect(((await next.json()) as unknown[]).length).toBe(1);
    const all = await ctx.request("/api/v1/admin/jobs", { token: boss.accessToken });
    expect(all.headers.get("x-total-count")).toBe("4");

    await expectProblem(await ctx.request("/api/v1/admin/jobs"), 401, "unauthorized_error");
    await expectProblem(
      await ctx.request("/api/v1/admin/jobs", { token: plain.accessToken }),
      403,
      "forbidden_access",
    );
    await expectProblem(
      await ctx.request("/api/v1/admin/jobs?status=lost", { token: boss.accessToken }),
      422,
      "validation_error",
    );
    await expectProblem(
      await ctx.request("/api/v1/admin/jobs?limit=0", { token: boss.accessToken }),
      422,
      "validation_error",
    );
  });

  test("an email job with an unreadable payload is listed as failed after one attempt", async () => {
    const ctx = await createTestContext();
    const boss = await admin(ctx);
    await dbOf(ctx.deps).delete(jobs).run();
    const now = ctx.clock.now();
    const base = { type: "email.send", status: "pending" as const, runAt: now, createdAt: now };
    await dbOf(ctx.deps)
      .insert(jobs)
      .values([
        { ...base, payload: "{truncated", updatedAt: now },
        { ...base, payload: '{"to":"a@example.com"}', updatedAt: now },
      ])
      .run();
    await ctx.deps.jobs.runDueJobs();
    const response = await ctx.request("/api/v1/admin/jobs?status=failed", {
      token: boss.accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const items = (await response.json()) as Record<string, unknown>[];
    expect(items.map((item) => [item.attempts, item.last_error])).toEqual([
      [1, 'Invalid payload for job type "email.send"'],
      [1, "Payload is not valid JSON"],
    ]);
    expect(ctx.mailer.sent).toEqual([]);
  });
});

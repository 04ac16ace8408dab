import { beforeEach, describe, expect, test } from "bun:test";
import { purgeExpired } from "../src/modules/jobs/scheduler";
import { idempotencyKeys } from "../src/platform/db/tables";
import { createTestContext, type TestContext } from "./support/app";
import { createUser, expectProblem, login, type TestUser } from "./support/factories";
import { dbOf } from "./support/orm";

let ctx: TestContext;
let user: TestUser;

beforeEach(async () => {
  ctx = await createTestContext();
  user = await createUser(ctx);
});

const post = (body: unknown, key?: string, token = user.accessToken) =>
  ctx.request("/api/v1/tasks", { token, body, headers: key ? { "idempotency-key": key } : {} });

/** Moves the fake clock; access tokens are short-lived, so sign in again afterwards. */
const advance = async (ms: number) => {
  ctx.clock.advance(ms);
  user.accessToken = (await login(ctx, user.email, user.password)).access_token;
};

const taskOf = async (response: Response) =>
  (await response.json()) as { id: number; title: string };

const countTasks = async () => {
  const response = await ctx.request("/api/v1/tasks", { token: user.accessToken });
  return Number(response.headers.get("x-total-count"));
};

describe("Idempotency-Key on POST /tasks", () => {
  test("a retry with the same key and body replays the first response and creates nothing", async () => {
    const first = await post({ title: "Pay rent", tags: ["home"] }, "key-1");
    expect(first.status).toBe(201);
    const firstBody = await first.json();

    const retry = await post({ tags: ["home"], title: "Pay rent" }, "key-1");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(firstBody);
    expect(await countTasks()).toBe(1);
  });

  test("the same key with a different body is 422 and creates nothing", async () => {
    expect((await post({ title: "One" }, "key-2")).status).toBe(201);
    const problem = await expectProblem(
      await post({ title: "Two" }, "key-2"),
      422,
      "validation_error",
    );
    expect(problem.detail).toContain("Idempotency-Key");
    expect(await countTasks()).toBe(1);
  });

  test("a retry while the first request is still running is 409", async () => {
    const now = ctx.clock.now();
    await dbOf(ctx.deps)
      .insert(idempotencyKeys)
      .values({
        userId: user.id,
        key: "in-flight",
        method: "POST",
        path: "/api/v1/tasks",
        requestHash: "unknown-yet",
        createdAt: now,
        expiresAt: now + 60_000,
      })
      .run();
    // The stored hash differs, so first prove a body mismatch wins over "in progress"…
    await expectProblem(await post({ title: "x" }, "in-flight"), 422, "validation_error");
    // …then store the real hash of this body with no response yet: that is "still running".
    const first = await post({ title: "Real" }, "key-running");
    expect(first.status).toBe(201);
    await dbOf(ctx.deps).update(idempotencyKeys).set({ responseStatus: null }).run();
    await expectProblem(await post({ title: "Real" }, "key-running"), 409, "conflict");
    expect(await countTasks()).toBe(1);
  });

  test("a claim left without an answer for a minute (the process died) is taken over by a retry", async () => {
    expect((await post({ title: "Crash" }, "key-crash")).status).toBe(201);
    await dbOf(ctx.deps).update(idempotencyKeys).set({ responseStatus: null }).run();
    await expectProblem(await post({ title: "Crash" }, "key-crash"), 409, "conflict");
    await advance(60_001);
    const retry = await post({ title: "Crash" }, "key-crash");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    // …and from then on it replays like any finished key.
    expect((await post({ title: "Crash" }, "key-crash")).headers.get("idempotent-replayed")).toBe(
      "true",
    );
  });

  test("a replay is logged with the status the client receives", async () => {
    await post({ title: "Logged" }, "key-log");
    await post({ title: "Logged" }, "key-log");
    await Bun.sleep(5);
    const statuses = ctx.logs
      .filter((line) => line.msg === "request" && line.path === "/api/v1/tasks")
      .map((line) => line.status);
    expect(statuses).toEqual([201, 201]);
  });

  test("keys are scoped per user", async () => {
    const other = await createUser(ctx);
    expect((await post({ title: "Mine" }, "shared-key")).status).toBe(201);
    const theirs = await post({ title: "Theirs" }, "shared-key", other.accessToken);
    expect(theirs.status).toBe(201);
    expect((await taskOf(theirs)).title).toBe("Theirs");
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
  });

  test("after 24 hours the key is forgotten and a new task is created", async () => {
    const first = await taskOf(await post({ title: "Daily" }, "key-day"));
    await advance(24 * 60 * 60 * 1000 + 1);
    const second = await post({ title: "Daily" }, "key-day");
    expect(second.status).toBe(201);
    expect((await taskOf(second)).id).not.toBe(first.id);
    expect(await countTasks()).toBe(2);
  });

  test("a failed attempt is not remembered, so the client can retry it", async () => {
    await expectProblem(await post({ title: "   " }, "key-fail"), 422, "validation_error");
    expect(await dbOf(ctx.deps).select().from(idempotencyKeys).all()).toHaveLength(0);
    expect((await post({ title: "Fixed" }, "key-fail")).status).toBe(201);
  });

  test("a malformed key is rejected with 422 naming the header", async () => {
    const problem = await expectProblem(
      await post({ title: "x" }, "has space"),
      422,
      "validation_error",
    );
    expect(JSON.stringify(problem.errors)).toContain("idempotency-key");
    await expectProblem(await post({ title: "x" }, "k".repeat(256)), 422, "validation_error");
    expect(await countTasks()).toBe(0);
  });

  test("requests without a key are never deduplicated", async () => {
    await post({ title: "Same" });
    await post({ title: "Same" });
    expect(await countTasks()).toBe(2);
  });

  test("the purge removes only expired records", async () => {
    await post({ title: "a" }, "old");
    await advance(23 * 60 * 60 * 1000);
    await post({ title: "b" }, "new");
    ctx.clock.advance(60 * 60 * 1000 + 1);
    expect((await purgeExpired(ctx.deps, ctx.clock.now())).idempotency_keys).toBe(1);
    const left = await dbOf(ctx.deps).select().from(idempotencyKeys).all();
    expect(left.map((row) => row.key)).toEqual(["new"]);
  });
});

import { describe, expect, test } from "bun:test";
import { OUTAGE_REPORT_INTERVAL_MS } from "../src/platform/shared/outage";
import { createTestContext, type TestContext } from "./support/app";
import { createBoard } from "./support/boards";
import { createUser, expectProblem, userValues } from "./support/factories";
import {
  sharedCountersDatabase,
  sharedStateOn,
  type UnreliableCounters,
} from "./support/shared-stores";

/**
 * The limits of decision 005/006 when several instances share a store (deps.shared): the same
 * limits hold across two apps as within one, and the policy when the store cannot be reached.
 * The store here is the SQL one on a database of its own; PostgreSQL and Redis have their own
 * runs of the same through real servers (test/postgres, test/redis).
 */

const OFF = { RATE_LIMIT_MAX: "0", AUTH_RATE_LIMIT_MAX: "0", AUTH_BAN_THRESHOLD: "0" };

async function twoInstances(env: Record<string, string>, store = sharedCountersDatabase()) {
  const shared = sharedStateOn(store);
  const a = await createTestContext(env, { shared });
  const b = await createTestContext(env, { shared });
  return { a, b, store };
}

const warnings = (ctx: TestContext, message: string) =>
  ctx.logs.filter((line) => line.level === "warn" && line.msg === message);

function loginAs(ctx: TestContext, email: string, password: string, ip: string) {
  return ctx.request("/api/v1/auth/login", {
    body: { email, password },
    headers: { "x-forwarded-for": ip },
  });
}

describe("the global rate limit, shared", () => {
  test("counts the requests of both instances in one window", async () => {
    const { a, b } = await twoInstances({ ...OFF, RATE_LIMIT_MAX: "3" });
    const seen: string[] = [];
    for (const ctx of [a, b, a]) {
      const response = await ctx.request("/api/v1/tasks");
      expect(response.status).toBe(401);
      seen.push(response.headers.get("ratelimit-remaining") ?? "none");
    }
    expect(seen).toEqual(["2", "1", "0"]);
    const limited = await b.request("/api/v1/tasks");
    await expectProblem(limited, 429, "too_many_requests");
    expect(limited.headers.get("retry-after")).toBe("60");
    // A window that ended starts afresh, for both.
    a.clock.advance(60_000);
    b.clock.advance(60_000);
    expect((await b.request("/api/v1/tasks")).headers.get("ratelimit-remaining")).toBe("2");
  });

  test("an unreachable store lets requests through uncounted and says so once, not per request", async () => {
    const { a, store } = await twoInstances({ ...OFF, RATE_LIMIT_MAX: "1" });
    store.fail();
    for (let i = 0; i < 4; i++) {
      const response = await a.request("/api/v1/tasks");
      expect(response.status).toBe(401);
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    }
    const message = "rate limit store unreachable; requests let through uncounted";
    expect(warnings(a, message)).toHaveLength(1);
    expect(warnings(a, message)[0]).toMatchObject({ error: "Connection closed", failures: 1 });
    a.clock.advance(OUTAGE_REPORT_INTERVAL_MS);
    await a.request("/api/v1/tasks");
    expect(warnings(a, message)).toHaveLength(2);
    expect(warnings(a, message)[1]).toMatchObject({ failures: 4 });
    // Back: counted again.
    store.recover();
    expect((await a.request("/api/v1/tasks")).headers.get("ratelimit-remaining")).toBe("0");
    expect((await a.request("/api/v1/tasks")).status).toBe(429);
  });
});

describe("the auth limits, shared", () => {
  test("per address: attempts through either instance count together", async () => {
    const { a, b } = await twoInstances({ ...OFF, AUTH_RATE_LIMIT_MAX: "2" });
    const ask = (ctx: TestContext) =>
      ctx.request("/api/v1/auth/forgot-password", { body: { email: "who@example.com" } });
    expect((await ask(a)).status).toBe(202);
    expect((await ask(b)).status).toBe(202);
    const limited = await ask(a);
    const body = await expectProblem(limited, 429, "too_many_requests");
    expect(body.detail).toBe("Too many attempts; slow down");
  });

  test("per address: an unreachable store lets attempts through and logs it", async () => {
    const { a, store } = await twoInstances({ ...OFF, AUTH_RATE_LIMIT_MAX: "1" });
    store.fail("hit");
    for (let i = 0; i < 3; i++) {
      const response = await a.request("/api/v1/auth/forgot-password", {
        body: { email: "who@example.com" },
      });
      expect(response.status).toBe(202);
    }
    expect(warnings(a, "auth rate limit store unreachable; let through uncounted")).toHaveLength(1);
  });

  test("per account: failures through A and B together lock it as many through one would", async () => {
    const env = { ...OFF, AUTH_RATE_LIMIT_MAX: "10", TRUST_PROXY: "true" };
    const { a, b } = await twoInstances(env);
    // The same account on both (id 1 on each database), as one database would give.
    const values = userValues();
    const onA = await createUser(a, values);
    const onB = await createUser(b, values);
    expect(onA.id).toBe(onB.id);
    for (let i = 0; i < 10; i++) {
      const response = await loginAs(
        i % 2 ? b : a,
        values.email,
        "Wrong-password-1",
        `10.0.0.${i}`,
      );
      expect(response.status).toBe(401);
    }
    for (const ctx of [a, b]) {
      const locked = await loginAs(ctx, values.email, values.password, "10.0.1.1");
      const body = await expectProblem(locked, 429, "too_many_requests");
      expect(body.detail).toBe("Too many failed attempts for this account; try again later");
      expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
    }
  });

  test("per account: a success hands its place back, so it never locks the account", async () => {
    const env = { ...OFF, AUTH_RATE_LIMIT_MAX: "10", TRUST_PROXY: "true" };
    const { a, b } = await twoInstances(env);
    const values = userValues();
    await createUser(a, values);
    await createUser(b, values);
    for (let i = 0; i < 12; i++) {
      const response = await loginAs(i % 2 ? b : a, values.email, values.password, `10.0.2.${i}`);
      expect(response.status).toBe(200);
    }
  });

  test("per account: an unreachable store answers 503, and the password is not checked", async () => {
    const env = { ...OFF, AUTH_RATE_LIMIT_MAX: "10" };
    const { a, store } = await twoInstances(env);
    const user = await createUser(a);
    store.fail("hold");
    const refused = await loginAs(a, user.email, user.password, "10.0.3.1");
    const body = await expectProblem(refused, 503, "service_unavailable");
    expect(body.detail).toBe("Sign-in attempts cannot be counted right now; try again shortly");
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(warnings(a, "failure budget store unreachable")).toHaveLength(1);
    store.recover();
    expect((await loginAs(a, user.email, user.password, "10.0.3.1")).status).toBe(200);
  });

  test("per account: a store lost while an attempt settles is logged; the answer stands", async () => {
    const env = { ...OFF, AUTH_RATE_LIMIT_MAX: "10" };
    const { a, store } = await twoInstances(env);
    const user = await createUser(a);
    store.fail("hit", "release");
    expect((await loginAs(a, user.email, "Wrong-password-1", "10.0.4.1")).status).toBe(401);
    expect(warnings(a, "failure budget store unreachable")).toHaveLength(1);
  });
});

describe("member additions, shared", () => {
  test("a caller's additions through A and B count in one window", async () => {
    const { a, b } = await twoInstances(OFF);
    const add = async (ctx: TestContext, count: number) => {
      // The owner is user 1 on both databases, as one database would have them.
      const owner = await createUser(ctx, { username: "owner_of_both" });
      expect(owner.id).toBe(1);
      const board = await createBoard(ctx, owner);
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const member = await createUser(ctx);
        const response = await ctx.request(`/api/v1/boards/${board.id}/members`, {
          token: owner.accessToken,
          body: { user: member.username, role: "viewer" },
        });
        statuses.push(response.status);
      }
      return statuses;
    };
    expect(await add(a, 16)).toEqual(Array(16).fill(201));
    const onB = await add(b, 15);
    expect(onB.slice(0, 14)).toEqual(Array(14).fill(201));
    expect(onB[14]).toBe(429);
  });
});

describe("address bans, with attempts in progress held in the shared store", () => {
  test("the threshold-th failure bans the address", async () => {
    const { a } = await twoInstances({ ...OFF, AUTH_BAN_THRESHOLD: "3" });
    const user = await createUser(a);
    for (let i = 0; i < 3; i++) {
      expect((await loginAs(a, user.email, "Wrong-password-1", "10.0.5.1")).status).toBe(401);
    }
    const banned = await loginAs(a, user.email, user.password, "10.0.5.1");
    await expectProblem(banned, 403, "forbidden_access");
  });

  test("failures already at a lowered threshold refuse with 429 until they age out", async () => {
    const store = sharedCountersDatabase();
    const { a } = await twoInstances({ ...OFF, AUTH_BAN_THRESHOLD: "3" }, store);
    const user = await createUser(a);
    for (let i = 0; i < 2; i++) await loginAs(a, user.email, "Wrong-password-1", "10.0.6.1");
    const lowered = await createTestContext(
      { ...OFF, AUTH_BAN_THRESHOLD: "2" },
      { shared: sharedStateOn(store), sql: a.deps.sql, sqlite: a.deps.sqlite ?? undefined },
    );
    const refused = await loginAs(lowered, user.email, user.password, "10.0.6.1");
    const body = await expectProblem(refused, 429, "too_many_requests");
    expect(body.detail).toBe("Too many failed attempts from your address; try again later");
  });

  test("an unreachable store answers 503 on the credential routes", async () => {
    const { a, store } = await twoInstances({ ...OFF, AUTH_BAN_THRESHOLD: "3" });
    const user = await createUser(a);
    (store as UnreliableCounters).fail("hold");
    await expectProblem(
      await loginAs(a, user.email, user.password, "10.0.7.1"),
      503,
      "service_unavailable",
    );
  });
});

import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createApp } from "../src/app";
import { BAN_DURATION_MS, FAILURE_WINDOW_MS } from "../src/modules/auth/address-bans";
import {
  ACCOUNT_FAILURE_WINDOW_MS,
  accountFailureLimit,
  THROTTLED_ROUTES,
} from "../src/modules/auth/throttle";
import { purgeExpired } from "../src/modules/jobs/scheduler";
import { authFailures, bans } from "../src/platform/db/tables";
import { buildRequest, createTestContext, type TestContext } from "./support/app";
import { onPostgres } from "./support/dialect";
import { createUser, expectProblem, userValues } from "./support/factories";
import { dbOf } from "./support/orm";

const NO_AUTH_LIMITS = { AUTH_RATE_LIMIT_MAX: "0", AUTH_BAN_THRESHOLD: "0" };
const from = (ip: string) => ({ "x-forwarded-for": ip });

async function expectRateLimited(response: Response, limit: number) {
  const retryAfter = Number(response.headers.get("retry-after"));
  const body = await expectProblem(response, 429, "too_many_requests");
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers.get("ratelimit-limit")).toBe(String(limit));
  expect(response.headers.get("ratelimit-remaining")).toBe("0");
  expect(body.title).toBe("Too Many Requests");
  expect(body.request_id).toBe(response.headers.get("x-request-id") ?? "missing");
  return body;
}

describe("global rate limit", () => {
  test("counts requests per client and answers 429 problem+json with Retry-After", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "3" });
    for (const remaining of ["2", "1", "0"]) {
      const response = await ctx.request("/api/v1/tasks");
      expect(response.status).toBe(401);
      expect(response.headers.get("ratelimit-limit")).toBe("3");
      expect(response.headers.get("ratelimit-remaining")).toBe(remaining);
      expect(Number(response.headers.get("ratelimit-reset"))).toBe(60);
    }
    const limited = await ctx.request("/api/v1/tasks");
    const body = await expectRateLimited(limited, 3);
    expect(body.instance).toBe("/api/v1/tasks");
    expect(limited.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("failed requests count: unknown routes, bad bodies, bad tokens", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "3" });
    expect((await ctx.request("/api/v1/nope")).status).toBe(404);
    expect((await ctx.request("/api/v1/tasks", { body: "{oops" })).status).toBe(400);
    expect((await ctx.request("/api/v1/tasks", { token: "junk" })).status).toBe(401);
    await expectRateLimited(await ctx.request("/api/v1/nope"), 3);
  });

  test("Retry-After and RateLimit-Reset count down with the window, which then resets", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "1" });
    await ctx.request("/api/v1/tasks");
    ctx.clock.advance(45_000);
    const limited = await ctx.request("/api/v1/tasks");
    expect(limited.headers.get("retry-after")).toBe("15");
    expect(limited.headers.get("ratelimit-reset")).toBe("15");
    await expectRateLimited(limited, 1);
    ctx.clock.advance(15_000);
    const fresh = await ctx.request("/api/v1/tasks");
    expect(fresh.status).toBe(401);
    expect(fresh.headers.get("ratelimit-remaining")).toBe("0");
  });

  test("with TRUST_PROXY each X-Forwarded-For client has its own bucket", async () => {
    const ctx = await createTestContext({
      ...NO_AUTH_LIMITS,
      RATE_LIMIT_MAX: "2",
      TRUST_PROXY: "true",
    });
    await ctx.request("/api/v1/tasks", { headers: from("10.0.0.1") });
    // Only the last entry, the one our proxy appended, names the client.
    await ctx.request("/api/v1/tasks", { headers: from("10.9.9.9, 10.0.0.1") });
    await expectRateLimited(await ctx.request("/api/v1/tasks", { headers: from("10.0.0.1") }), 2);
    const other = await ctx.request("/api/v1/tasks", { headers: from("10.0.0.2") });
    expect(other.status).toBe(401);
    expect(other.headers.get("ratelimit-remaining")).toBe("1");
  });

  test("without TRUST_PROXY a forged X-Forwarded-For does not buy a new bucket", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "2" });
    await ctx.request("/api/v1/tasks", { headers: from("10.0.0.1") });
    await ctx.request("/api/v1/tasks", { headers: from("10.0.0.2") });
    await expectRateLimited(await ctx.request("/api/v1/tasks", { headers: from("10.0.0.3") }), 2);
  });

  test("/health, /ready and /metrics are never limited and carry no RateLimit headers", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "1" });
    await ctx.request("/api/v1/tasks");
    await expectRateLimited(await ctx.request("/api/v1/tasks"), 1);
    for (const path of ["/health", "/ready", "/metrics", "/health", "/ready", "/metrics"]) {
      const response = await ctx.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.has("ratelimit-limit")).toBe(false);
    }
  });

  test("RATE_LIMIT_MAX=0 turns it off", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "0" });
    for (let i = 0; i < 400; i += 1) {
      const response = await ctx.request("/api/v1/tasks");
      if (response.status !== 401) throw new Error(`request ${i}: ${response.status}`);
      expect(response.headers.has("ratelimit-limit")).toBe(false);
    }
  });

  test("two apps in one process on SQLite keep separate counters", async () => {
    const ctx = await createTestContext(
      { ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "1" },
      { sqliteOnly: true },
    );
    await ctx.request("/api/v1/tasks");
    await expectRateLimited(await ctx.request("/api/v1/tasks"), 1);
    const second = createApp(ctx.deps);
    const response = await second.handle(buildRequest("/api/v1/tasks"));
    expect(response.status).toBe(401);
  });

  // On PostgreSQL every app is one of several instances: the limit is the database's, not the app's.
  test.if(onPostgres)("two apps on one PostgreSQL database share one counter", async () => {
    const ctx = await createTestContext({ ...NO_AUTH_LIMITS, RATE_LIMIT_MAX: "1" });
    await ctx.request("/api/v1/tasks");
    const second = createApp(ctx.deps);
    await expectRateLimited(await second.handle(buildRequest("/api/v1/tasks")), 1);
  });

  test("a browser can read the 429: CORS headers are kept", async () => {
    const ctx = await createTestContext({
      ...NO_AUTH_LIMITS,
      RATE_LIMIT_MAX: "1",
      CORS_ORIGINS: "https://app.example.com",
    });
    const headers = { origin: "https://app.example.com" };
    await ctx.request("/api/v1/tasks", { headers });
    const limited = await ctx.request("/api/v1/tasks", { headers });
    expect(limited.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    await expectRateLimited(limited, 1);
  });
});

/** Wrong-password logins, each from the given address. */
async function failLogin(ctx: TestContext, ip: string, email = "nobody@example.com") {
  return ctx.request("/api/v1/auth/login", {
    body: { email, password: "wrong-password" },
    headers: from(ip),
  });
}

describe("auth rate limits", () => {
  const env = {
    RATE_LIMIT_MAX: "0",
    AUTH_RATE_LIMIT_MAX: "3",
    AUTH_BAN_THRESHOLD: "0",
    TRUST_PROXY: "true",
  };

  test("per address: every attempt counts, failures and bad bodies included", async () => {
    const ctx = await createTestContext(env);
    expect((await failLogin(ctx, "10.1.0.1", "a@example.com")).status).toBe(401);
    const invalid = await ctx.request("/api/v1/auth/login", {
      body: { email: "b@example.com" },
      headers: from("10.1.0.1"),
    });
    expect(invalid.status).toBe(422);
    expect((await failLogin(ctx, "10.1.0.1", "c@example.com")).status).toBe(401);
    const limited = await failLogin(ctx, "10.1.0.1", "d@example.com");
    const body = await expectRateLimited(limited, 3);
    expect(body.detail).toBe("Too many attempts; slow down");
    expect((await failLogin(ctx, "10.1.0.2", "e@example.com")).status).toBe(401);
  });

  test("per account: failures from any address use up one budget for the account", async () => {
    const ctx = await createTestContext(env);
    // AUTH_RATE_LIMIT_MAX is 3 here, so the account's budget is the floor of 10 failures.
    expect(accountFailureLimit(ctx.deps.config)).toBe(10);
    for (let i = 0; i < 10; i += 1) {
      expect((await failLogin(ctx, `10.2.0.${i}`, "victim@example.com")).status).toBe(401);
    }
    const limited = await failLogin(ctx, "10.2.1.1", "  VICTIM@Example.com ");
    const body = await expectProblem(limited, 429, "too_many_requests");
    expect(body.detail).toBe("Too many failed attempts for this account; try again later");
    expect(limited.headers.get("retry-after")).toBe(String(ACCOUNT_FAILURE_WINDOW_MS / 1000));
    expect(limited.headers.get("ratelimit-limit")).toBe("10");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    // A username counts for itself, and the limit does not depend on the account existing.
    const byName = await ctx.request("/api/v1/auth/login", {
      body: { username: "someone", password: "wrong-password" },
      headers: from("10.2.1.2"),
    });
    expect(byName.status).toBe(401);
  });

  test("the limited routes are exactly the credential-taking POST routes", async () => {
    const ctx = await createTestContext({ ...env, AUTH_RATE_LIMIT_MAX: "1" });
    const registered = new Set(
      ctx.app.routes.filter((r) => r.method === "POST").map((r) => r.path as string),
    );
    const present = [...THROTTLED_ROUTES].filter((path) => registered.has(path));
    expect(present).toEqual(
      expect.arrayContaining(["/api/v1/auth/login", "/api/v1/auth/signup", "/api/v1/auth/token"]),
    );
    for (const [index, path] of present.entries()) {
      const ip = `10.3.0.${index}`;
      const body = path.endsWith("/token")
        ? new URLSearchParams({ grant_type: "password", username: `u${index}`, password: "x" })
        : { email: `limit${index}@example.com` };
      const first = await ctx.request(path, { body, headers: from(ip) });
      expect(first.status).not.toBe(429);
      await expectRateLimited(await ctx.request(path, { body, headers: from(ip) }), 1);
    }
    // Refresh takes a 256-bit token, not a guessable secret: only the global limit applies.
    for (let i = 0; i < 3; i += 1) {
      const response = await ctx.request("/api/v1/auth/refresh", {
        body: { refresh_token: "x" },
        headers: from("10.3.1.1"),
      });
      expect(response.status).toBe(401);
    }
  });

  test("a trailing slash does not dodge the limit: it reaches no sign-in at all", async () => {
    const ctx = await createTestContext({ ...env, AUTH_RATE_LIMIT_MAX: "1" });
    await failLogin(ctx, "10.4.0.1");
    const slashed = (ip: string) =>
      ctx.request("/api/v1/auth/login/", {
        body: { email: "x@example.com", password: "wrong-password" },
        headers: from(ip),
      });
    // Neither the limited address nor a fresh one gets a password checked (that would be 401).
    await expectProblem(await slashed("10.4.0.1"), 404, "not_found");
    await expectProblem(await slashed("10.4.0.2"), 404, "not_found");
    await expectRateLimited(await failLogin(ctx, "10.4.0.1"), 1);
  });

  test("the headers describe whichever limit is closest to running out", async () => {
    const ctx = await createTestContext({ ...env, RATE_LIMIT_MAX: "5" });
    const first = await failLogin(ctx, "10.4.1.1", "one@example.com");
    expect(first.status).toBe(401);
    expect(first.headers.get("ratelimit-limit")).toBe("3");
    expect(first.headers.get("ratelimit-remaining")).toBe("2");
    await failLogin(ctx, "10.4.1.1", "two@example.com");
    const third = await failLogin(ctx, "10.4.1.1", "three@example.com");
    expect(third.status).toBe(401);
    expect(third.headers.get("ratelimit-limit")).toBe("3");
    expect(third.headers.get("ratelimit-remaining")).toBe("0");
    // The account budget counts failures, not requests, and is not advertised before it runs out.
    const other = await failLogin(ctx, "10.4.1.2", "one@example.com");
    expect(other.headers.get("ratelimit-limit")).toBe("3");
    expect(other.headers.get("ratelimit-remaining")).toBe("2");
    const tasks = await ctx.request("/api/v1/tasks", { headers: from("10.4.1.1") });
    expect(tasks.headers.get("ratelimit-limit")).toBe("5");
    expect(tasks.headers.get("ratelimit-remaining")).toBe("1");
  });

  test("the window resets after a minute", async () => {
    const ctx = await createTestContext({ ...env, AUTH_RATE_LIMIT_MAX: "1" });
    await failLogin(ctx, "10.5.0.1");
    await expectRateLimited(await failLogin(ctx, "10.5.0.1"), 1);
    ctx.clock.advance(60_000);
    expect((await failLogin(ctx, "10.5.0.1")).status).toBe(401);
  });

  test("AUTH_RATE_LIMIT_MAX=0 turns it off", async () => {
    const ctx = await createTestContext({ ...env, AUTH_RATE_LIMIT_MAX: "0" });
    for (let i = 0; i < 25; i += 1) {
      const response = await failLogin(ctx, "10.6.0.1", "same@example.com");
      expect(response.status).toBe(401);
    }
  });
});

describe("bans after repeated failures", () => {
  const env = {
    RATE_LIMIT_MAX: "0",
    AUTH_RATE_LIMIT_MAX: "0",
    AUTH_BAN_THRESHOLD: "3",
    TRUST_PROXY: "true",
  };

  async function banAddress(ctx: TestContext, ip: string) {
    for (let i = 0; i < 3; i += 1) expect((await failLogin(ctx, ip)).status).toBe(401);
  }

  test("the threshold-th failure bans the address from every auth route, and only there", async () => {
    const ctx = await createTestContext(env);
    const user = await createUser(ctx);
    await banAddress(ctx, "10.7.0.1");

    // Even the right password is refused while the ban lasts.
    const banned = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
      headers: from("10.7.0.1"),
    });
    const body = await expectProblem(banned, 403, "forbidden_access");
    expect(body.detail).toContain("try again later");
    expect(banned.headers.get("retry-after")).toBe(String(BAN_DURATION_MS / 1000));
    const sessions = await ctx.request("/api/v1/auth/sessions", {
      token: user.accessToken,
      headers: from("10.7.0.1"),
    });
    await expectProblem(sessions, 403, "forbidden_access");

    // Outside /auth a signed-in user behind the same address keeps working.
    const tasks = await ctx.request("/api/v1/tasks", {
      token: user.accessToken,
      headers: from("10.7.0.1"),
    });
    expect(tasks.status).toBe(200);
    // Other addresses are untouched.
    const elsewhere = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
      headers: from("10.7.0.2"),
    });
    expect(elsewhere.status).toBe(200);
  });

  test("the ban is stored, survives a restart, and ends on time without a purge", async () => {
    const ctx = await createTestContext(env);
    await banAddress(ctx, "10.8.0.1");
    const row = await dbOf(ctx.deps).select().from(bans).where(eq(bans.ip, "10.8.0.1")).get();
    expect(row?.expiresAt).toBe(ctx.clock.now() + BAN_DURATION_MS);
    expect(row?.reason).toBe("Too many failed sign-in attempts");
    expect(await dbOf(ctx.deps).select().from(authFailures).all()).toEqual([]);

    const restarted = createApp(ctx.deps);
    const again = await restarted.handle(
      buildRequest("/api/v1/auth/login", {
        body: { email: "x@example.com", password: "pw" },
        headers: from("10.8.0.1"),
      }),
    );
    await expectProblem(again, 403, "forbidden_access");

    ctx.clock.advance(BAN_DURATION_MS - 1000);
    const late = await failLogin(ctx, "10.8.0.1");
    expect(late.headers.get("retry-after")).toBe("1");
    await expectProblem(late, 403, "forbidden_access");
    ctx.clock.advance(1000);
    expect((await failLogin(ctx, "10.8.0.1")).status).toBe(401);
    expect(await dbOf(ctx.deps).select().from(bans).all()).toHaveLength(1);
  });

  test("only failures within ten minutes count", async () => {
    const ctx = await createTestContext(env);
    await failLogin(ctx, "10.9.0.1");
    await failLogin(ctx, "10.9.0.1");
    ctx.clock.advance(FAILURE_WINDOW_MS);
    await failLogin(ctx, "10.9.0.1");
    await failLogin(ctx, "10.9.0.1");
    expect((await failLogin(ctx, "10.9.0.1")).status).toBe(401);
    await expectProblem(await failLogin(ctx, "10.9.0.1"), 403, "forbidden_access");
  });

  test("successes, malformed bodies and taken sign-up names are not failures", async () => {
    const ctx = await createTestContext(env);
    const values = userValues();
    const headers = from("10.10.0.1");
    for (let i = 0; i < 4; i += 1) {
      const signup = await ctx.request("/api/v1/auth/signup", { body: values, headers });
      expect(signup.status).toBe(i === 0 ? 201 : 400);
      const malformed = await ctx.request("/api/v1/auth/login", { body: {}, headers });
      expect(malformed.status).toBe(422);
      const ok = await ctx.request("/api/v1/auth/login", {
        body: { email: values.email, password: values.password },
        headers,
      });
      expect(ok.status).toBe(200);
    }
    expect(await dbOf(ctx.deps).select().from(authFailures).all()).toEqual([]);
  });

  test("wrong passwords on the OAuth2 token endpoint count", async () => {
    const ctx = await createTestContext(env);
    const form = new URLSearchParams({ grant_type: "password", username: "nobody", password: "x" });
    for (let i = 0; i < 3; i += 1) {
      const response = await ctx.request("/api/v1/auth/token", {
        body: form,
        headers: from("10.11.0.1"),
      });
      expect(response.status).toBe(400);
    }
    const banned = await ctx.request("/api/v1/auth/token", {
      body: form,
      headers: from("10.11.0.1"),
    });
    await expectProblem(banned, 403, "forbidden_access");
  });

  test("AUTH_BAN_THRESHOLD=0 turns bans off", async () => {
    const ctx = await createTestContext({ ...env, AUTH_BAN_THRESHOLD: "0" });
    for (let i = 0; i < 10; i += 1) expect((await failLogin(ctx, "10.12.0.1")).status).toBe(401);
    expect(await dbOf(ctx.deps).select().from(authFailures).all()).toEqual([]);
    expect(await dbOf(ctx.deps).select().from(bans).all()).toEqual([]);
  });

  test("the scheduler's purge forgets failures exactly when they stop counting", async () => {
    const ctx = await createTestContext(env);
    await banAddress(ctx, "10.13.0.1");
    await failLogin(ctx, "10.13.0.2");
    ctx.clock.advance(FAILURE_WINDOW_MS);
    await failLogin(ctx, "10.13.0.3");
    ctx.clock.advance(BAN_DURATION_MS - FAILURE_WINDOW_MS);
    expect(await purgeExpired(ctx.deps, ctx.clock.now())).toMatchObject({
      bans: 1,
      auth_failures: 1,
    });
    expect(await dbOf(ctx.deps).select({ ip: authFailures.ip }).from(authFailures).all()).toEqual([
      { ip: "10.13.0.3" },
    ]);
  });
});

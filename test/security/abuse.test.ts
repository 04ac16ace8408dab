import { describe, expect, test } from "bun:test";
import { ACCOUNT_FAILURE_WINDOW_MS } from "../../src/modules/auth/throttle";
import { bans } from "../../src/platform/db/tables";
import { clientKey } from "../../src/platform/http/rate-limit";
import { createTestContext, type TestContext } from "../support/app";
import { createUser, expectProblem, login } from "../support/factories";
import { dbOf } from "../support/orm";

// Limits as shipped (AUTH_RATE_LIMIT_MAX 10, bans on), with each test's addresses forwarded.
const DEFAULTS = { RATE_LIMIT_MAX: "0", TRUST_PROXY: "true" };
const from = (ip: string) => ({ "x-forwarded-for": ip });

function post(ctx: TestContext, route: string, body: unknown, ip: string) {
  return ctx.request(`/api/v1/auth/${route}`, { body, headers: from(ip) });
}

function signIn(ctx: TestContext, email: string, password: string, ip: string) {
  return post(ctx, "login", { email, password }, ip);
}

describe("an account is locked only by failed attempts on it", () => {
  test("reset, resend and sign-up calls naming an account never lock its owner out", async () => {
    const ctx = await createTestContext(DEFAULTS);
    const victim = await createUser(ctx);
    for (let i = 0; i < 10; i += 1) {
      expect((await post(ctx, "forgot-password", { email: victim.email }, "10.0.0.1")).status).toBe(
        202,
      );
    }
    for (let i = 0; i < 10; i += 1) {
      const body = { email: victim.email };
      expect((await post(ctx, "resend-verification", body, "10.0.0.2")).status).toBe(202);
    }
    for (let i = 0; i < 10; i += 1) {
      const taken = { username: `taken_${i}`, email: victim.email, password: "Sturdy-pass-4242" };
      expect((await post(ctx, "signup", taken, "10.0.0.3")).status).toBe(400);
    }
    const response = await signIn(ctx, victim.email, victim.password, "10.0.0.9");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(((await response.json()) as { token_type: string }).token_type).toBe("bearer");
  });

  test("successful sign-ins never use up the account's budget", async () => {
    const ctx = await createTestContext({ ...DEFAULTS, AUTH_RATE_LIMIT_MAX: "3" });
    const user = await createUser(ctx);
    for (let i = 0; i < 15; i += 1) {
      const response = await signIn(ctx, user.email, user.password, `10.1.0.${i}`);
      expect(response.status).toBe(200);
    }
  });

  test("failures lock the account everywhere, until the window of the first one ends", async () => {
    const ctx = await createTestContext(DEFAULTS);
    const victim = await createUser(ctx);
    // Wrong reset codes and wrong passwords both count against the address they name.
    for (let i = 0; i < 4; i += 1) {
      const guess = { email: victim.email, otp: String(100000 + i) };
      expect((await post(ctx, "verify-otp", guess, `10.2.0.${i}`)).status).toBe(400);
    }
    for (let i = 4; i < 10; i += 1) {
      const response = await signIn(ctx, victim.email, "Wrong-password-1", `10.2.0.${i}`);
      expect(response.status).toBe(401);
    }
    const locked = await signIn(ctx, victim.email, victim.password, "10.2.1.1");
    const body = await expectProblem(locked, 429, "too_many_requests");
    expect(body.detail).toBe("Too many failed attempts for this account; try again later");
    expect(locked.headers.get("retry-after")).toBe(String(ACCOUNT_FAILURE_WINDOW_MS / 1000));
    expect(locked.headers.get("ratelimit-limit")).toBe("10");
    expect(locked.headers.get("ratelimit-remaining")).toBe("0");
    // Other accounts, and this account's other routes that take no secret, are untouched.
    const other = await createUser(ctx);
    expect((await signIn(ctx, other.email, other.password, "10.2.1.1")).status).toBe(200);
    expect((await post(ctx, "forgot-password", { email: victim.email }, "10.2.1.2")).status).toBe(
      202,
    );

    // Refused attempts are checked, not counted: they do not stretch the lock.
    ctx.clock.advance(ACCOUNT_FAILURE_WINDOW_MS - 1000);
    const late = await signIn(ctx, victim.email, victim.password, "10.2.1.3");
    expect(late.status).toBe(429);
    expect(late.headers.get("retry-after")).toBe("1");
    ctx.clock.advance(1000);
    const tokens = await login(ctx, victim.email, victim.password);
    expect(tokens.access_token).toBeString();
  });

  test("the budget follows AUTH_RATE_LIMIT_MAX above its floor of 10", async () => {
    const ctx = await createTestContext({ ...DEFAULTS, AUTH_RATE_LIMIT_MAX: "12" });
    for (let i = 0; i < 12; i += 1) {
      const response = await signIn(ctx, "target@example.com", "Wrong-password-1", `10.3.0.${i}`);
      expect(response.status).toBe(401);
    }
    const locked = await signIn(ctx, "target@example.com", "Wrong-password-1", "10.3.1.1");
    await expectProblem(locked, 429, "too_many_requests");
    expect(locked.headers.get("ratelimit-limit")).toBe("12");
  });
});

describe("IPv6 clients are counted by their /64", () => {
  test("clientKey: /64 prefixes for IPv6, plain IPv4 for mapped addresses", () => {
    expect(clientKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0DB8:0001:0002:ffff::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80::/64");
    expect(clientKey("[2001:db8:0:0:1::1]:443")).toBe("2001:db8::/64");
    expect(clientKey("::1")).toBe("::/64");
    expect(clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientKey("::FFFF:c000:0207")).toBe("192.0.2.7");
    expect(clientKey("64:ff9b::192.0.2.7")).toBe("64:ff9b::/64");
    expect(clientKey(" 192.0.2.7 ")).toBe("192.0.2.7");
    expect(clientKey("192.0.2.7:8080")).toBe("192.0.2.7");
    expect(clientKey("unknown")).toBe("unknown");
    expect(clientKey("2001:db8::1::2")).toBe("2001:db8::1::2");
  });

  test("the global limit: addresses in one /64 share a bucket; mapped IPv4 is IPv4", async () => {
    const ctx = await createTestContext({
      ...DEFAULTS,
      RATE_LIMIT_MAX: "2",
      AUTH_RATE_LIMIT_MAX: "0",
    });
    const tasks = (ip: string) => ctx.request("/api/v1/tasks", { headers: from(ip) });
    expect((await tasks("2001:db8:a:b::1")).status).toBe(401);
    expect((await tasks("2001:db8:a:b:1:2:3:4")).status).toBe(401);
    await expectProblem(await tasks("2001:DB8:A:B::FFFF"), 429, "too_many_requests");
    expect((await tasks("2001:db8:a:c::1")).status).toBe(401);

    expect((await tasks("::ffff:192.0.2.7")).status).toBe(401);
    expect((await tasks("192.0.2.7")).status).toBe(401);
    await expectProblem(await tasks("::ffff:c000:207"), 429, "too_many_requests");
  });

  test("auth attempts and bans cover the /64; sessions still show the full address", async () => {
    const ctx = await createTestContext({
      ...DEFAULTS,
      AUTH_RATE_LIMIT_MAX: "0",
      AUTH_BAN_THRESHOLD: "3",
    });
    const user = await createUser(ctx);
    for (const suffix of ["1", "2", "3"]) {
      const response = await signIn(
        ctx,
        "nobody@example.com",
        "Wrong-pw-1",
        `2001:db8:5:6::${suffix}`,
      );
      expect(response.status).toBe(401);
    }
    const banned = await signIn(ctx, user.email, user.password, "2001:db8:5:6:aaaa::9");
    await expectProblem(banned, 403, "forbidden_access");
    expect(await dbOf(ctx.deps).select({ ip: bans.ip }).from(bans).all()).toEqual([
      { ip: "2001:db8:5:6::/64" },
    ]);

    const elsewhere = await signIn(ctx, user.email, user.password, "2001:db8:5:7::42");
    expect(elsewhere.status).toBe(200);
    const { access_token } = (await elsewhere.json()) as { access_token: string };
    const sessions = await ctx.request("/api/v1/auth/sessions", {
      token: access_token,
      headers: from("2001:db8:5:7::42"),
    });
    expect(sessions.status).toBe(200);
    const listed = (await sessions.json()) as { ip: string; current: boolean }[];
    expect(listed.find((session) => session.current)?.ip).toBe("2001:db8:5:7::42");
  });

  test("the per-address auth limit covers the /64 too", async () => {
    const ctx = await createTestContext({ ...DEFAULTS, AUTH_RATE_LIMIT_MAX: "2" });
    const attempt = (ip: string) => signIn(ctx, `${ip.length}@example.com`, "Wrong-pw-1", ip);
    expect((await attempt("2001:db8:7::1")).status).toBe(401);
    expect((await attempt("2001:db8:7::2")).status).toBe(401);
    const limited = await attempt("2001:db8:7:0:1::3");
    expect((await expectProblem(limited, 429, "too_many_requests")).detail).toBe(
      "Too many attempts; slow down",
    );
  });
});

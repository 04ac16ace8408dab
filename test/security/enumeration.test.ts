import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { createPasswordHasher } from "../../src/platform/passwords";
import { setRole } from "../support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "../support/app";
import { createUser, type TestUser, userValues } from "../support/factories";
import { observable } from "./helpers";

/** Calls one route with each body and asserts every answer looks exactly the same. */
async function expectIndistinguishable(
  ctx: TestContext,
  path: string,
  bodies: unknown[],
  status: number,
) {
  const seen = [];
  for (const body of bodies) seen.push(await observable(await ctx.request(path, { body })));
  expect(seen[0]?.status).toBe(status);
  for (const other of seen.slice(1)) expect(other).toEqual(seen[0] ?? other);
  return seen[0];
}

async function accounts(): Promise<{ ctx: TestContext; user: TestUser; inactive: TestUser }> {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const inactive = await createUser(ctx);
  await setRole(ctx, inactive, "user", false);
  return { ctx, user, inactive };
}

/**
 * What a request costs that could show in its timing: the reads it runs (by table, in order) and
 * how many hashes it computes. Writes are left out: they happen only for a real account.
 */
async function workOf(ctx: TestContext, path: string, body: unknown) {
  // Every statement, as the app hands it to the database (either one).
  const get = spyOn(ctx.deps.sql, "get");
  const all = spyOn(ctx.deps.sql, "all");
  const hash = spyOn(Bun.CryptoHasher.prototype, "update");
  try {
    const response = await ctx.request(path, { body });
    await response.text();
    const order = (spy: typeof get | typeof all) =>
      spy.mock.calls.map(([query], index) => ({
        query,
        at: spy.mock.invocationCallOrder[index] ?? 0,
      }));
    const reads = [...order(get), ...order(all)]
      .sort((a, b) => a.at - b.at)
      .map(({ query }) => String(query))
      .filter((query) => /^\s*select/i.test(query))
      .map((query) => /from "?(\w+)"?/i.exec(query)?.[1] ?? query);
    return { status: response.status, reads, hashes: hash.mock.calls.length };
  } finally {
    get.mockRestore();
    all.mockRestore();
    hash.mockRestore();
  }
}

const verifySpies: { mockRestore(): void }[] = [];
afterEach(() => {
  for (const spy of verifySpies.splice(0)) spy.mockRestore();
});

describe("nothing tells whether an account exists", () => {
  test("login: wrong password, unknown email or username, deactivated account", async () => {
    const { ctx, user, inactive } = await accounts();
    const wrong = "Wrong-password-123";
    await expectIndistinguishable(
      ctx,
      "/api/v1/auth/login",
      [
        { email: user.email, password: wrong },
        { email: "nobody@example.com", password: wrong },
        { username: user.username, password: wrong },
        { username: "nobody_at_all", password: wrong },
        { email: user.email.toUpperCase(), password: wrong },
        { email: inactive.email, password: wrong },
      ],
      401,
    );
  });

  test("login spends one password verification whether or not the account exists", async () => {
    const { ctx, user } = await accounts();
    const verify = spyOn(Bun.password, "verify");
    verifySpies.push(verify);
    const attempt = async (email: string) => {
      const before = verify.mock.calls.length;
      const response = await ctx.request("/api/v1/auth/login", {
        body: { email, password: "Wrong-password-123" },
      });
      expect(response.status).toBe(401);
      return verify.mock.calls.length - before;
    };
    await attempt("warm-up@example.com"); // the first unknown login also makes the dummy hash
    expect(await attempt(user.email)).toBe(1);
    expect(await attempt("nobody@example.com")).toBe(1);
  });

  test("login takes roughly as long for an unknown account as for a known one", async () => {
    const { ctx, user } = await accounts();
    // A real (if small) argon2id cost, so the hash dominates the time of both paths.
    ctx.deps.passwords = createPasswordHasher({ memoryCost: 4096, timeCost: 3 });
    const password = "Right-password-123";
    const known = await ctx.request("/api/v1/auth/signup", {
      body: { ...userValues(), email: "timed@example.com", password },
    });
    expect(known.status).toBe(201);
    const time = async (email: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        const started = performance.now();
        await ctx.request("/api/v1/auth/login", { body: { email, password: `${password}x` } });
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[3] ?? 0;
    };
    await time("warm-up@example.com");
    const existing = await time("timed@example.com");
    const missing = await time(`missing-${user.id}@example.com`);
    expect(missing).toBeGreaterThan(existing / 3);
    expect(missing).toBeLessThan(existing * 3);
  });

  test("the OAuth2 password grant: wrong password and unknown user look the same", async () => {
    const { ctx, user } = await accounts();
    const form = (username: string) =>
      new URLSearchParams({ grant_type: "password", username, password: "Wrong-password-123" });
    await expectIndistinguishable(
      ctx,
      "/api/v1/auth/token",
      [form(user.username), form("nobody_at_all"), form(user.email), form("nobody@example.com")],
      400,
    );
  });

  test("forgot-password: 202 and the same body for any address", async () => {
    const { ctx, user, inactive } = await accounts();
    await expectIndistinguishable(
      ctx,
      "/api/v1/auth/forgot-password",
      [
        { email: user.email },
        { email: "nobody@example.com" },
        { email: inactive.email },
        { email: user.email.toUpperCase() },
      ],
      202,
    );
  });

  test("resend-verification: 202 and the same body, verified, unverified or unknown", async () => {
    const { ctx, user, inactive } = await accounts();
    const verified = await createUser(ctx);
    await ctx.deps.sql.run("UPDATE users SET email_verified = 1 WHERE id = ?", [verified.id]);
    await expectIndistinguishable(
      ctx,
      "/api/v1/auth/resend-verification",
      [
        { email: user.email },
        { email: verified.email },
        { email: "nobody@example.com" },
        { email: inactive.email },
      ],
      202,
    );
  });

  test("verify-otp and verify-email: a wrong code and an unknown address look the same", async () => {
    const { ctx, user } = await accounts();
    await ctx.request("/api/v1/auth/forgot-password", { body: { email: user.email } });
    for (const path of ["/api/v1/auth/verify-otp", "/api/v1/auth/verify-email"]) {
      await expectIndistinguishable(
        ctx,
        path,
        [
          { email: user.email, otp: "000000" },
          { email: "nobody@example.com", otp: "000000" },
        ],
        400,
      );
    }
  });

  test("reset and verification routes read and hash the same for unknown accounts", async () => {
    const { ctx, user, inactive } = await accounts();
    const verified = await createUser(ctx);
    await ctx.deps.sql.run("UPDATE users SET email_verified = 1 WHERE id = ?", [verified.id]);
    await ctx.request("/api/v1/auth/forgot-password", { body: { email: verified.email } });
    const cases: [string, unknown[]][] = [
      [
        "/api/v1/auth/forgot-password",
        [{ email: user.email }, { email: "nobody@example.com" }, { email: inactive.email }],
      ],
      [
        "/api/v1/auth/resend-verification",
        [{ email: user.email }, { email: "nobody@example.com" }, { email: verified.email }],
      ],
      [
        "/api/v1/auth/verify-otp",
        [
          { email: verified.email, otp: "000000" },
          { email: "nobody@example.com", otp: "000000" },
        ],
      ],
      [
        "/api/v1/auth/verify-email",
        [
          { email: user.email, otp: "000000" },
          { email: "nobody@example.com", otp: "000000" },
        ],
      ],
    ];
    for (const [path, bodies] of cases) {
      const seen = [];
      for (const body of bodies) seen.push(await workOf(ctx, path, body));
      const [first, ...rest] = seen;
      expect({ path, rest }).toEqual({ path, rest: Array(rest.length).fill(first) });
    }
  });

  test("sign-up: a taken name says so (the contract's 400) but never which one", async () => {
    const { ctx, user } = await accounts();
    const fresh = userValues();
    await expectIndistinguishable(
      ctx,
      "/api/v1/auth/signup",
      [
        { ...fresh, email: user.email },
        { ...fresh, email: user.email.toUpperCase() },
        { ...fresh, username: user.username },
        { ...fresh, username: user.username.toUpperCase() },
        { ...fresh, username: user.username, email: user.email },
      ],
      400,
    );
  });
});

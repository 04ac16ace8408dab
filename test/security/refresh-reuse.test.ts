import { describe, expect, test } from "bun:test";
import { setRole } from "../support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "../support/app";
import { createUser, expectProblem, login } from "../support/factories";
import { expectUnauthorized } from "./helpers";

interface Pair {
  access_token: string;
  refresh_token: string;
}

const refresh = (ctx: TestContext, token: string) =>
  ctx.request("/api/v1/auth/refresh", { body: { refresh_token: token } });

const grant = (ctx: TestContext, token: string) =>
  ctx.request("/api/v1/auth/token", {
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }),
  });

async function pairFrom(response: Response): Promise<Pair> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${text}`);
  expect(response.headers.get("cache-control")).toBe("no-store");
  return JSON.parse(text) as Pair;
}

async function canRead(ctx: TestContext, accessToken: string): Promise<boolean> {
  const response = await ctx.request("/api/v1/users/me", { token: accessToken });
  if (response.status === 401) await expectUnauthorized(response);
  else expect(response.status).toBe(200);
  return response.status === 200;
}

describe("a refresh token is spent once, and replaying it ends the whole session", () => {
  test("the thief's replay after the owner's rotation kills every token of that session", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const elsewhere = await login(ctx, user.email, user.password);
    const stolen = user.refreshToken;
    const owner1 = await pairFrom(await refresh(ctx, stolen));
    const owner2 = await pairFrom(await refresh(ctx, owner1.refresh_token));

    await expectUnauthorized(await refresh(ctx, stolen));

    // Every generation of the family is dead, access tokens included.
    for (const token of [owner1.refresh_token, owner2.refresh_token]) {
      await expectUnauthorized(await refresh(ctx, token));
    }
    for (const token of [user.accessToken, owner1.access_token, owner2.access_token]) {
      expect(await canRead(ctx, token)).toBe(false);
    }
    // The user's other session is a different family and goes on.
    expect(await canRead(ctx, elsewhere.access_token)).toBe(true);
    await pairFrom(await refresh(ctx, elsewhere.refresh_token));
  });

  test("the owner's replay after the thief's rotation ends the thief's session too", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const thief = await pairFrom(await refresh(ctx, user.refreshToken));
    expect(await canRead(ctx, thief.access_token)).toBe(true);
    await expectUnauthorized(await refresh(ctx, user.refreshToken));
    expect(await canRead(ctx, thief.access_token)).toBe(false);
    await expectUnauthorized(await refresh(ctx, thief.refresh_token));
  });

  test("two simultaneous refreshes with one token: one wins, and the replay still revokes", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const responses = await Promise.all([
      refresh(ctx, user.refreshToken),
      refresh(ctx, user.refreshToken),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    const winner = responses.find((response) => response.status === 200);
    const pair = await pairFrom(winner ?? new Response());
    expect(await canRead(ctx, pair.access_token)).toBe(false);
    await expectUnauthorized(await refresh(ctx, pair.refresh_token));
  });

  test("a replay through the OAuth2 token endpoint is invalid_grant and revokes as well", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const next = await pairFrom(await grant(ctx, user.refreshToken));
    const replay = await grant(ctx, user.refreshToken);
    const body = await expectProblem(replay, 400, "bad_request");
    expect(body.error).toBe("invalid_grant");
    await expectUnauthorized(await refresh(ctx, next.refresh_token));
    expect(await canRead(ctx, next.access_token)).toBe(false);
  });

  test("an unknown or altered token is refused without touching the real session", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const token = user.refreshToken;
    const altered = (token[0] === "A" ? "B" : "A") + token.slice(1);
    for (const guess of [altered, `${token}x`, token.slice(0, -1), token.toUpperCase()]) {
      await expectUnauthorized(await refresh(ctx, guess));
    }
    // Neither an access token nor a reset-style value passes for a refresh token.
    await expectUnauthorized(await refresh(ctx, user.accessToken));
    expect(await canRead(ctx, user.accessToken)).toBe(true);
    await pairFrom(await refresh(ctx, token));
  });

  test("logout, logout-all, a password change and deactivation all end refresh", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);

    const a = await login(ctx, user.email, user.password);
    const out = await ctx.request("/api/v1/auth/logout", { method: "POST", token: a.access_token });
    expect(out.status).toBe(204);
    await expectUnauthorized(await refresh(ctx, a.refresh_token));

    const b = await login(ctx, user.email, user.password);
    const all = await ctx.request("/api/v1/auth/logout-all", {
      method: "POST",
      token: b.access_token,
    });
    expect(all.status).toBe(204);
    await expectUnauthorized(await refresh(ctx, b.refresh_token));
    await expectUnauthorized(await refresh(ctx, user.refreshToken));

    const c = await login(ctx, user.email, user.password);
    const d = await login(ctx, user.email, user.password);
    const change = await ctx.request("/api/v1/users/me/password", {
      token: c.access_token,
      body: { current_password: user.password, new_password: "A-brand-new-passphrase-42" },
    });
    expect(change.status).toBe(204);
    await expectUnauthorized(await refresh(ctx, d.refresh_token));
    const kept = await pairFrom(await refresh(ctx, c.refresh_token));

    await setRole(ctx, user, "user", false);
    await expectUnauthorized(await refresh(ctx, kept.refresh_token));
  });

  test("a session past REFRESH_TOKEN_TTL cannot be refreshed", async () => {
    const ctx = await createTestContext({ ...UNTHROTTLED_ENV, REFRESH_TOKEN_TTL: "1h" });
    const user = await createUser(ctx);
    ctx.clock.advance(3_600_000);
    await expectUnauthorized(await refresh(ctx, user.refreshToken));
  });
});

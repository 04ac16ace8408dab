import { describe, expect, test } from "bun:test";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";

import { createUser, expectProblem, login, type TestUser } from "./support/factories";

const AUTH = "/api/v1/auth";
const ME = "/api/v1/users/me";

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

async function expectTokens(response: Response): Promise<Tokens> {
  const text = await response.text();
  expect(`${response.status} ${text}`).toStartWith("200 ");
  expect(response.headers.get("content-type")).toStartWith("application/json");
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = JSON.parse(text) as Tokens;
  expect(body.token_type).toBe("bearer");
  expect(body.access_token).toBeString();
  expect(body.refresh_token).toBeString();
  return body;
}

/** Asserts the access token is accepted (200) or refused (401 with the Bearer challenge). */
async function expectAccess(ctx: TestContext, token: string, allowed: boolean) {
  const response = await ctx.request(ME, { token });
  if (allowed) {
    expect(response.status).toBe(200);
    return;
  }
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
  await expectProblem(response, 401, "unauthorized_error");
}

const refresh = (ctx: TestContext, token: string) =>
  ctx.request(`${AUTH}/refresh`, { body: { refresh_token: token } });

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe("POST /auth/token (OAuth2)", () => {
  test("the password grant accepts a username or an email in the username field", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    for (const name of [user.username, user.email.toUpperCase()]) {
      const tokens = await expectTokens(
        await ctx.request(`${AUTH}/token`, {
          body: form({ grant_type: "password", username: name, password: user.password }),
        }),
      );
      expect(tokens.expires_in).toBe(900);
      await expectAccess(ctx, tokens.access_token, true);
    }
  });

  test("the refresh_token grant rotates the pair", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const grant = (refreshToken: string) =>
      ctx.request(`${AUTH}/token`, {
        body: form({ grant_type: "refresh_token", refresh_token: refreshToken }),
      });
    const next = await expectTokens(await grant(user.refreshToken));
    expect(next.refresh_token).not.toBe(user.refreshToken);
    await expectAccess(ctx, next.access_token, true);
    const replay = await expectProblem(await grant(user.refreshToken), 400, "bad_request");
    expect(replay.error).toBe("invalid_grant");
  });

  test.each([
    ["a wrong password", (u: TestUser) => ({ username: u.username, password: "Wrong-pass-1" })],
    ["an unknown user", () => ({ username: "nobody_here", password: "Wrong-pass-1" })],
  ])("%s is 400 invalid_grant", async (_, fields) => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/token`, {
      body: form({ grant_type: "password", ...fields(user) }),
    });
    const problem = await expectProblem(response, 400, "bad_request");
    expect(problem.error).toBe("invalid_grant");
    expect(problem.error_description).toBe("Incorrect email or password");
  });

  test("a garbage refresh token is 400 invalid_grant", async () => {
    const ctx = await createTestContext();
    const response = await ctx.request(`${AUTH}/token`, {
      body: form({ grant_type: "refresh_token", refresh_token: "not-a-token" }),
    });
    expect((await expectProblem(response, 400, "bad_request")).error).toBe("invalid_grant");
  });

  test.each([
    ["no password", { grant_type: "password", username: "someone" }],
    ["no username", { grant_type: "password", password: "Whatever-123" }],
    ["no refresh_token", { grant_type: "refresh_token" }],
  ])("%s is 400 invalid_request", async (_, fields) => {
    const ctx = await createTestContext();
    const response = await ctx.request(`${AUTH}/token`, { body: form(fields) });
    expect((await expectProblem(response, 400, "bad_request")).error).toBe("invalid_request");
  });

  test("an unsupported grant_type is 422", async () => {
    const ctx = await createTestContext();
    const response = await ctx.request(`${AUTH}/token`, {
      body: form({ grant_type: "client_credentials", client_id: "x", client_secret: "y" }),
    });
    const problem = await expectProblem(response, 422, "validation_error");
    expect(problem.errors?.map((error) => error.path)).toContain("/grant_type");
  });

  test("accepts a JSON body too", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const tokens = await expectTokens(
      await ctx.request(`${AUTH}/token`, {
        body: { grant_type: "password", username: user.email, password: user.password },
      }),
    );
    await expectAccess(ctx, tokens.access_token, true);
  });

  test("form bodies are for the token endpoint only", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/login`, {
      body: form({ email: user.email, password: user.password }),
    });
    await expectProblem(response, 415, "unsupported_media_type");
  });
});

describe("POST /auth/refresh", () => {
  test("rotates: a new pair that works, and the old refresh token is spent", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const next = await expectTokens(await refresh(ctx, user.refreshToken));
    expect(next.refresh_token).not.toBe(user.refreshToken);
    expect(next.expires_in).toBe(900);
    await expectAccess(ctx, next.access_token, true);
    const again = await expectTokens(await refresh(ctx, next.refresh_token));
    await expectAccess(ctx, again.access_token, true);
  });

  test("a spent token is refused and revokes its whole session, but no other", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const other = await login(ctx, user.email, user.password);
    const next = await expectTokens(await refresh(ctx, user.refreshToken));

    const replay = await refresh(ctx, user.refreshToken);
    expect(replay.headers.get("www-authenticate")).toBe("Bearer");
    await expectProblem(replay, 401, "unauthorized_error");

    await expectProblem(await refresh(ctx, next.refresh_token), 401, "unauthorized_error");
    await expectAccess(ctx, next.access_token, false);
    await expectAccess(ctx, user.accessToken, false);
    await expectAccess(ctx, other.access_token, true);
    await expectTokens(await refresh(ctx, other.refresh_token));
  });

  test("refuses a garbage token with 401 and an empty one with 422", async () => {
    const ctx = await createTestContext();
    const garbage = await refresh(ctx, "definitely-not-a-refresh-token");
    expect(garbage.headers.get("www-authenticate")).toBe("Bearer");
    await expectProblem(garbage, 401, "unauthorized_error");
    await expectProblem(await refresh(ctx, ""), 422, "validation_error");
  });
});

describe("POST /auth/logout and /auth/logout-all", () => {
  test("logout answers 204 and the access token is refused on the very next request", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/logout`, {
      method: "POST",
      token: user.accessToken,
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expectAccess(ctx, user.accessToken, false);
    await expectProblem(await refresh(ctx, user.refreshToken), 401, "unauthorized_error");
  });

  test("a refresh_token in the body ends that session too, if it is the caller's", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const second = await login(ctx, user.email, user.password);
    const third = await login(ctx, user.email, user.password);
    const stranger = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/logout`, {
      token: user.accessToken,
      body: { refresh_token: second.refresh_token },
    });
    expect(response.status).toBe(204);
    await expectAccess(ctx, user.accessToken, false);
    await expectAccess(ctx, second.access_token, false);
    await expectAccess(ctx, third.access_token, true);

    // Someone else's refresh token is not the caller's to end.
    const strangerLogout = await ctx.request(`${AUTH}/logout`, {
      token: third.access_token,
      body: { refresh_token: stranger.refreshToken },
    });
    expect(strangerLogout.status).toBe(204);
    await expectAccess(ctx, stranger.accessToken, true);
  });

  test("logout refuses unknown body fields and anonymous callers", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await expectProblem(
      await ctx.request(`${AUTH}/logout`, { token: user.accessToken, body: { everywhere: true } }),
      422,
      "validation_error",
    );
    await expectAccess(ctx, user.accessToken, true);
    await expectProblem(
      await ctx.request(`${AUTH}/logout`, { method: "POST" }),
      401,
      "unauthorized_error",
    );
  });

  test("logout-all ends every session of the user and nobody else's", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const second = await login(ctx, user.username, user.password);
    const other = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/logout-all`, {
      method: "POST",
      token: second.access_token,
    });
    expect(response.status).toBe(204);
    await expectAccess(ctx, user.accessToken, false);
    await expectAccess(ctx, second.access_token, false);
    await expectProblem(await refresh(ctx, user.refreshToken), 401, "unauthorized_error");
    await expectProblem(await refresh(ctx, second.refresh_token), 401, "unauthorized_error");
    await expectAccess(ctx, other.accessToken, true);
    await expectTokens(await refresh(ctx, other.refreshToken));
    // Signing in again opens a fresh session.
    await expectAccess(ctx, (await login(ctx, user.email, user.password)).access_token, true);
  });
});

describe("GET and DELETE /auth/sessions", () => {
  test("lists the caller's live sessions with the current one flagged", async () => {
    const ctx = await createTestContext({ ...UNTHROTTLED_ENV, TRUST_PROXY: "true" });
    const user = await createUser(ctx);
    ctx.clock.advance(2_000);
    const phone = await expectTokens(
      await ctx.request(`${AUTH}/login`, {
        body: { email: user.email, password: user.password },
        // The client wrote the first entry; the proxy appended the real address last.
        headers: {
          "user-agent": "KanbunPhone/2.1",
          "x-forwarded-for": "198.51.100.66, 203.0.113.7",
        },
      }),
    );
    const ended = await login(ctx, user.email, user.password);
    await ctx.request(`${AUTH}/logout`, { method: "POST", token: ended.access_token });
    await createUser(ctx); // another user's sessions never show up

    const response = await ctx.request(`${AUTH}/sessions`, { token: phone.access_token });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const list = (await response.json()) as Record<string, unknown>[];
    expect(list).toHaveLength(2);
    for (const session of list) {
      expect(Object.keys(session).sort()).toEqual(
        ["created_at", "current", "id", "ip", "last_used_at", "user_agent"].sort(),
      );
    }
    const current = list.filter((session) => session.current);
    expect(current).toEqual([
      {
        id: expect.any(Number),
        created_at: new Date(ctx.clock.now()).toISOString(),
        last_used_at: new Date(ctx.clock.now()).toISOString(),
        user_agent: "KanbunPhone/2.1",
        ip: "203.0.113.7",
        current: true,
      },
    ]);
    const first = list.find((session) => !session.current);
    expect(first?.created_at).toBe(new Date(ctx.clock.now() - 2_000).toISOString());
    expect(first?.user_agent).toBeNull();
  });

  test("deleting a session answers 204 and its token stops working; others go on", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const laptop = await login(ctx, user.email, user.password);
    const list = (await (
      await ctx.request(`${AUTH}/sessions`, { token: user.accessToken })
    ).json()) as { id: number; current: boolean }[];
    const target = list.find((session) => !session.current);
    if (!target) throw new Error("expected a second session");

    const response = await ctx.request(`${AUTH}/sessions/${target.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expectAccess(ctx, laptop.access_token, false);
    await expectProblem(await refresh(ctx, laptop.refresh_token), 401, "unauthorized_error");
    await expectAccess(ctx, user.accessToken, true);

    // Gone is gone: deleting it again is 404.
    const again = await ctx.request(`${AUTH}/sessions/${target.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    await expectProblem(again, 404, "not_found");
  });

  test("the current session can be deleted too", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const [own] = (await (
      await ctx.request(`${AUTH}/sessions`, { token: user.accessToken })
    ).json()) as { id: number }[];
    const response = await ctx.request(`${AUTH}/sessions/${own?.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(response.status).toBe(204);
    await expectAccess(ctx, user.accessToken, false);
  });

  test("another user's session is 404 and stays alive", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    const [bobSession] = (await (
      await ctx.request(`${AUTH}/sessions`, { token: bob.accessToken })
    ).json()) as { id: number }[];
    const response = await ctx.request(`${AUTH}/sessions/${bobSession?.id}`, {
      method: "DELETE",
      token: alice.accessToken,
    });
    await expectProblem(response, 404, "not_found");
    await expectAccess(ctx, bob.accessToken, true);
    await expectProblem(
      await ctx.request(`${AUTH}/sessions/999999`, { method: "DELETE", token: alice.accessToken }),
      404,
      "not_found",
    );
  });

  test.each(["abc", "1.5", "0", "-1"])("a session id of %p is 422", async (id) => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/sessions/${id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    const problem = await expectProblem(response, 422, "validation_error");
    expect(problem.errors?.length).toBeGreaterThan(0);
    await expectAccess(ctx, user.accessToken, true);
  });
});

describe("expiry", () => {
  test("an access token works until ACCESS_TOKEN_TTL and not after; refresh still does", async () => {
    const ctx = await createTestContext({ ACCESS_TOKEN_TTL: "60" });
    const user = await createUser(ctx);
    ctx.clock.advance(59_000);
    await expectAccess(ctx, user.accessToken, true);
    ctx.clock.advance(2_000);
    await expectAccess(ctx, user.accessToken, false);
    const next = await expectTokens(await refresh(ctx, user.refreshToken));
    expect(next.expires_in).toBe(60);
    await expectAccess(ctx, next.access_token, true);
  });

  test("a refresh token dies after REFRESH_TOKEN_TTL, taking its session with it", async () => {
    const ctx = await createTestContext({ ACCESS_TOKEN_TTL: "2h", REFRESH_TOKEN_TTL: "1h" });
    const user = await createUser(ctx);
    ctx.clock.advance(3_601_000);
    await expectProblem(await refresh(ctx, user.refreshToken), 401, "unauthorized_error");
    // The access token's own lifetime is longer, but its session has ended.
    await expectAccess(ctx, user.accessToken, false);
  });

  test("each rotation starts a new REFRESH_TOKEN_TTL", async () => {
    const ctx = await createTestContext({ REFRESH_TOKEN_TTL: "1h" });
    const user = await createUser(ctx);
    ctx.clock.advance(3_599_000);
    const next = await expectTokens(await refresh(ctx, user.refreshToken));
    ctx.clock.advance(3_599_000);
    const last = await expectTokens(await refresh(ctx, next.refresh_token));
    ctx.clock.advance(3_601_000);
    await expectProblem(await refresh(ctx, last.refresh_token), 401, "unauthorized_error");
  });
});

import { describe, expect, test } from "bun:test";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, login, type TestUser } from "./support/factories";
import { fetchDocument } from "./support/openapi";

// Browser sessions: the refresh token travels in an HttpOnly cookie, read by /auth/refresh only
// with an X-Requested-With header, and cleared by logout (issue 10, item 4).

const AUTH = "/api/v1/auth";
const COOKIE = "kanbun_refresh";
const THIRTY_DAYS = 30 * 86400;
const GUARD = { "x-requested-with": "kanbun" };

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased, with their values ("" for flags). */
  attributes: Record<string, string>;
}

function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...parts] = header.split(";").map((part) => part.trim());
  const at = pair.indexOf("=");
  const attributes: Record<string, string> = {};
  for (const part of parts) {
    const [name = "", ...value] = part.split("=");
    attributes[name.toLowerCase()] = value.join("=");
  }
  return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes };
}

/** The one Set-Cookie of the response, which must be the refresh cookie. */
function refreshCookieOf(response: Response): SetCookie {
  const headers = response.headers.getSetCookie();
  expect(headers).toHaveLength(1);
  const cookie = parseSetCookie(headers[0] ?? "");
  expect(cookie.name).toBe(COOKIE);
  return cookie;
}

function expectCookieAttributes(cookie: SetCookie, maxAge: number, secure = false) {
  const expected: Record<string, string> = {
    "max-age": String(maxAge),
    path: "/api/v1/auth",
    httponly: "",
    samesite: "Strict",
  };
  if (secure) expected.secure = "";
  expect(cookie.attributes).toEqual(expected);
}

interface BrowserTokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
}

/** A 200 token response of a cookie session: the refresh token is in the cookie, not the body. */
async function expectCookieSession(response: Response, maxAge = THIRTY_DAYS, secure = false) {
  const text = await response.text();
  expect(`${response.status} ${text}`).toStartWith("200 ");
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = JSON.parse(text) as BrowserTokens;
  expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
  const cookie = refreshCookieOf(response);
  expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expectCookieAttributes(cookie, maxAge, secure);
  return { accessToken: body.access_token, refreshToken: cookie.value };
}

const cookieLogin = (ctx: TestContext, user: TestUser) =>
  ctx.request(`${AUTH}/login`, {
    body: { email: user.email, password: user.password, session: "cookie" },
  });

const cookieRefresh = (
  ctx: TestContext,
  token: string,
  headers: Record<string, string> = GUARD,
  body: unknown = {},
) =>
  ctx.request(`${AUTH}/refresh`, {
    method: "POST",
    body,
    headers: { cookie: `${COOKIE}=${token}`, ...headers },
  });

const bodyRefresh = (ctx: TestContext, token: string) =>
  ctx.request(`${AUTH}/refresh`, { body: { refresh_token: token } });

async function expectAccess(ctx: TestContext, token: string, allowed: boolean) {
  const response = await ctx.request("/api/v1/users/me", { token });
  expect(response.status).toBe(allowed ? 200 : 401);
}

describe("POST /auth/login with session: cookie", () => {
  test("sets the refresh token as an HttpOnly, SameSite=Strict cookie on /api/v1/auth, not in the body", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    await expectAccess(ctx, session.accessToken, true);
    // The cookie's token is a live refresh token of that session.
    const next = await bodyRefresh(ctx, session.refreshToken);
    expect(next.status).toBe(200);
  });

  test("without session the response is as before: the token in the body and no cookie", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(`${AUTH}/login`, {
      body: { email: user.email, password: user.password },
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(((await response.json()) as BrowserTokens).refresh_token).toBeString();
  });

  test("Max-Age follows REFRESH_TOKEN_TTL and Secure is set when APP_URL is https", async () => {
    const ctx = await createTestContext({
      APP_URL: "https://kanbun.example",
      REFRESH_TOKEN_TTL: "7d",
    });
    const user = await createUser(ctx);
    await expectCookieSession(await cookieLogin(ctx, user), 7 * 86400, true);
  });

  test("a wrong password sets no cookie; an unknown session mode is 422", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const wrong = await ctx.request(`${AUTH}/login`, {
      body: { email: user.email, password: "not-the-password", session: "cookie" },
    });
    expect(wrong.headers.getSetCookie()).toEqual([]);
    await expectProblem(wrong, 401, "unauthorized_error");
    for (const session of ["body", "COOKIE", true, null]) {
      const refused = await ctx.request(`${AUTH}/login`, {
        body: { email: user.email, password: user.password, session },
      });
      expect(refused.headers.getSetCookie()).toEqual([]);
      const problem = await expectProblem(refused, 422, "validation_error");
      expect(problem.errors?.[0]?.path).toBe("/session");
    }
  });
});

describe("POST /auth/refresh with the cookie", () => {
  test("rotates: a new cookie, no token in the body, and the old cookie is spent", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const first = await expectCookieSession(await cookieLogin(ctx, user));
    // The body is `{}`: the browser has nothing else to say.
    const second = await expectCookieSession(await cookieRefresh(ctx, first.refreshToken));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expectAccess(ctx, second.accessToken, true);
    // `session: "cookie"` changes nothing when the token came from the cookie.
    const third = await expectCookieSession(
      await cookieRefresh(ctx, second.refreshToken, GUARD, { session: "cookie" }),
    );
    await expectAccess(ctx, third.accessToken, true);
  });

  test("a replayed cookie revokes the whole session, as a replayed body token does", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const first = await expectCookieSession(await cookieLogin(ctx, user));
    const second = await expectCookieSession(await cookieRefresh(ctx, first.refreshToken));
    const replay = await cookieRefresh(ctx, first.refreshToken);
    expect(replay.headers.getSetCookie()).toEqual([]);
    await expectProblem(replay, 401, "unauthorized_error");
    await expectAccess(ctx, second.accessToken, false);
    await expectProblem(await cookieRefresh(ctx, second.refreshToken), 401, "unauthorized_error");
    // The user's other sessions go on.
    await expectAccess(ctx, user.accessToken, true);
  });

  test("a cookie without X-Requested-With is 403 and the token is not spent", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    const unguarded: Record<string, string>[] = [{}, { "x-requested-with": "" }];
    for (const headers of unguarded) {
      const refused = await cookieRefresh(ctx, session.refreshToken, headers);
      expect(refused.headers.getSetCookie()).toEqual([]);
      const problem = await expectProblem(refused, 403, "forbidden_access");
      expect(problem.detail).toContain("X-Requested-With");
    }
    // The same cookie, with the header, still works: nothing was spent or revoked.
    await expectAccess(ctx, session.accessToken, true);
    await expectCookieSession(await cookieRefresh(ctx, session.refreshToken));
  });

  test("no token in the body and no cookie is 401, whatever the body says", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (const body of [{}, { session: "cookie" }]) {
      const response = await ctx.request(`${AUTH}/refresh`, {
        method: "POST",
        body,
        headers: GUARD,
      });
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      expect(response.headers.getSetCookie()).toEqual([]);
      const problem = await expectProblem(response, 401, "unauthorized_error");
      expect(problem.detail).toStartWith("No refresh token");
    }
    // An empty cookie is no cookie.
    await expectProblem(await cookieRefresh(ctx, ""), 401, "unauthorized_error");
  });

  test("a garbage cookie is 401; one longer than any token is 422 naming the cookie", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    await expectProblem(await cookieRefresh(ctx, "not-a-token"), 401, "unauthorized_error");
    const long = await expectProblem(
      await cookieRefresh(ctx, "x".repeat(513)),
      422,
      "validation_error",
    );
    expect(long.errors?.[0]?.path).toBe(`/${COOKIE}`);
  });

  test("other cookies on the request are ignored", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    const response = await ctx.request(`${AUTH}/refresh`, {
      body: {},
      headers: {
        ...GUARD,
        cookie: `theme=dark; prefs={"a":1}; ${COOKIE}=${session.refreshToken}; x=${"y".repeat(600)}`,
      },
    });
    await expectCookieSession(response);
  });

  test("a body token wins over the cookie and keeps today's answer; the cookie is left alone", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const browser = await expectCookieSession(await cookieLogin(ctx, user));
    const response = await cookieRefresh(ctx, browser.refreshToken, GUARD, {
      refresh_token: user.refreshToken,
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const body = (await response.json()) as BrowserTokens;
    expect(body.refresh_token).toBeString();
    // The cookie's token was not spent: it still refreshes its own session.
    await expectCookieSession(await cookieRefresh(ctx, browser.refreshToken));
  });

  test('a body token with session: "cookie" moves the session into the cookie', async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const moved = await expectCookieSession(
      await ctx.request(`${AUTH}/refresh`, {
        body: { refresh_token: user.refreshToken, session: "cookie" },
      }),
    );
    await expectAccess(ctx, moved.accessToken, true);
    await expectCookieSession(await cookieRefresh(ctx, moved.refreshToken));
  });

  test("the body is still required and still refuses unknown fields and empty tokens", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    const noBody = await ctx.request(`${AUTH}/refresh`, {
      method: "POST",
      headers: { ...GUARD, cookie: `${COOKIE}=${session.refreshToken}` },
    });
    expect(noBody.headers.getSetCookie()).toEqual([]);
    await expectProblem(noBody, 422, "validation_error");
    for (const body of [{ cookie: true }, { refresh_token: "" }, { session: "header" }, []]) {
      const refused = await cookieRefresh(ctx, session.refreshToken, GUARD, body);
      expect(refused.headers.getSetCookie()).toEqual([]);
      await expectProblem(refused, 422, "validation_error");
    }
    await expectCookieSession(await cookieRefresh(ctx, session.refreshToken));
  });
});

describe("POST /auth/logout and the cookie", () => {
  const logout = (ctx: TestContext, token: string | undefined, cookie?: string, body?: unknown) =>
    ctx.request(`${AUTH}/logout`, {
      method: "POST",
      token,
      body,
      headers: cookie === undefined ? {} : { cookie: `${COOKIE}=${cookie}` },
    });

  function expectCleared(response: Response, secure = false) {
    expect(response.status).toBe(204);
    const cleared = refreshCookieOf(response);
    expect(cleared.value).toBe("");
    expectCookieAttributes(cleared, 0, secure);
  }

  test("ends the session the cookie holds and clears the cookie", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    expectCleared(await logout(ctx, session.accessToken, session.refreshToken));
    await expectAccess(ctx, session.accessToken, false);
    await expectProblem(await cookieRefresh(ctx, session.refreshToken), 401, "unauthorized_error");
    await expectAccess(ctx, user.accessToken, true);
  });

  test("also ends the cookie's session when it is another of the caller's, never a stranger's", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const browser = await expectCookieSession(await cookieLogin(ctx, user));
    expectCleared(await logout(ctx, user.accessToken, browser.refreshToken));
    await expectAccess(ctx, user.accessToken, false);
    await expectAccess(ctx, browser.accessToken, false);

    const stranger = await createUser(ctx);
    const strangerBrowser = await expectCookieSession(await cookieLogin(ctx, stranger));
    const caller = await login(ctx, user.email, user.password);
    expectCleared(await logout(ctx, caller.access_token, strangerBrowser.refreshToken));
    await expectAccess(ctx, strangerBrowser.accessToken, true);
    await expectCookieSession(await cookieRefresh(ctx, strangerBrowser.refreshToken));
  });

  test("a body refresh_token and the cookie both end their sessions", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const browser = await expectCookieSession(await cookieLogin(ctx, user));
    const other = await login(ctx, user.email, user.password);
    const third = await login(ctx, user.email, user.password);
    expectCleared(
      await logout(ctx, user.accessToken, browser.refreshToken, {
        refresh_token: other.refresh_token,
      }),
    );
    await expectAccess(ctx, browser.accessToken, false);
    await expectAccess(ctx, other.access_token, false);
    await expectAccess(ctx, third.access_token, true);
  });

  test("clears the cookie even when the request carries none, with Secure under https", async () => {
    const ctx = await createTestContext({ APP_URL: "https://kanbun.example" });
    const user = await createUser(ctx);
    expectCleared(await logout(ctx, user.accessToken), true);
    await expectAccess(ctx, user.accessToken, false);
  });

  test("an anonymous logout with a cookie is 401 and ends nothing", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    const refused = await logout(ctx, undefined, session.refreshToken);
    expect(refused.headers.getSetCookie()).toEqual([]);
    await expectProblem(refused, 401, "unauthorized_error");
    await expectAccess(ctx, session.accessToken, true);
    await expectCookieSession(await cookieRefresh(ctx, session.refreshToken));
  });

  test("logout's body rules are unchanged: unknown fields are 422 and nothing ends", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const session = await expectCookieSession(await cookieLogin(ctx, user));
    const refused = await logout(ctx, session.accessToken, session.refreshToken, {
      session: "cookie",
    });
    expect(refused.headers.getSetCookie()).toEqual([]);
    await expectProblem(refused, 422, "validation_error");
    await expectAccess(ctx, session.accessToken, true);
  });
});

describe("cross-origin requests", () => {
  test("X-Requested-With is not an allowed CORS header, and credentials are never allowed", async () => {
    const ctx = await createTestContext({ CORS_ORIGINS: "https://a.example" });
    const preflight = await ctx.request(`${AUTH}/refresh`, {
      method: "OPTIONS",
      headers: {
        origin: "https://a.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-requested-with",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://a.example");
    const allowed = preflight.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    expect(allowed).toContain("authorization");
    expect(allowed).not.toContain("x-requested-with");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("/docs/json", () => {
  test("documents the session field, the cookie, its guard header and Set-Cookie", async () => {
    const ctx = await createTestContext();
    const doc = await fetchDocument(ctx);
    const schemas = doc.components.schemas;
    for (const body of ["LoginBody", "RefreshBody"]) {
      expect(schemas[body]?.properties?.session).toMatchObject({ const: "cookie" });
    }
    expect(schemas.RefreshBody?.required ?? []).toEqual([]);
    expect(schemas.SessionTokenResponse?.required).toEqual([
      "access_token",
      "token_type",
      "expires_in",
    ]);

    const operation = (path: string) => doc.paths[`${AUTH}${path}`]?.post;
    const refresh = operation("/refresh");
    expect(refresh?.parameters?.map(({ name, in: where }) => `${where} ${name}`).sort()).toEqual([
      `cookie ${COOKIE}`,
      "header x-requested-with",
    ]);
    expect(
      operation("/logout")?.parameters?.map(({ name, in: where }) => `${where} ${name}`),
    ).toEqual([`cookie ${COOKIE}`]);
    const setCookie = (path: string, status: string) =>
      (operation(path)?.responses[status] as { headers?: Record<string, unknown> } | undefined)
        ?.headers?.["Set-Cookie"];
    expect(setCookie("/login", "200")).toBeDefined();
    expect(setCookie("/refresh", "200")).toBeDefined();
    expect(setCookie("/logout", "204")).toBeDefined();
    expect(setCookie("/token", "200")).toBeUndefined();
    const refused = refresh?.responses["403"] as { description?: string } | undefined;
    expect(refused?.description).toContain("X-Requested-With");
  });
});

test("/docs/json, first built after the cookie routes have answered, still describes them alike", async () => {
  const fresh = await fetchDocument(await createTestContext());
  // The document is built on its first request: here, after Elysia has compiled these routes
  // (and added additionalProperties to the response schemas it compiled).
  const ctx = await createTestContext();
  const user = await createUser(ctx);
  const session = await expectCookieSession(await cookieLogin(ctx, user));
  const next = await expectCookieSession(await cookieRefresh(ctx, session.refreshToken));
  const logout = await ctx.request(`${AUTH}/logout`, { method: "POST", token: next.accessToken });
  expect(logout.status).toBe(204);
  const after = await fetchDocument(ctx);
  expect(after.components.schemas.SessionTokenResponse).toEqual(
    fresh.components.schemas.SessionTokenResponse ?? {},
  );
  for (const path of ["/login", "/refresh", "/logout"]) {
    expect(after.paths[`${AUTH}${path}`]).toEqual(fresh.paths[`${AUTH}${path}`] ?? {});
  }
});

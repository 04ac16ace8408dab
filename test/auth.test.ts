import { describe, expect, spyOn, test } from "bun:test";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";

import { createUser, expectProblem, userValues } from "./support/factories";

const SIGNUP = "/api/v1/auth/signup";
const LOGIN = "/api/v1/auth/login";

async function expectJson(response: Response, status: number) {
  const text = await response.text();
  expect(`${response.status} ${text}`).toStartWith(`${status} `);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  return JSON.parse(text) as Record<string, unknown>;
}

function signup(ctx: TestContext, body: unknown) {
  return ctx.request(SIGNUP, { body });
}

async function expectFieldError(response: Response, path: string) {
  const problem = await expectProblem(response, 422, "validation_error");
  expect(problem.errors?.map((error) => error.path)).toContain(path);
  return problem;
}

describe("POST /auth/signup", () => {
  test("creates the account and answers 201 with the public profile only", async () => {
    const ctx = await createTestContext();
    const values = userValues({ full_name: "  Ada Lovelace " });
    const response = await signup(ctx, { ...values, email: values.email.toUpperCase() });
    const text = await response.clone().text();
    const body = await expectJson(response, 201);
    expect(body.message).toBe("User created successfully");
    const user = body.user as Record<string, unknown>;
    expect(Object.keys(user).sort()).toEqual(
      [
        "created_at",
        "email",
        "email_notifications",
        "email_verified",
        "full_name",
        "id",
        "last_login_at",
        "role",
        "username",
      ].sort(),
    );
    expect(user).toMatchObject({
      username: values.username,
      email: values.email.toLowerCase(),
      full_name: "Ada Lovelace",
      role: "user",
      email_verified: false,
      created_at: new Date(ctx.clock.now()).toISOString(),
      last_login_at: null,
    });
    expect(user.id).toBeInteger();
    expect(text).not.toContain("argon2");
    expect(text).not.toContain(values.password);
    expect(text.toLowerCase()).not.toContain("password");
  });

  test.each([
    ["too short", "ab"],
    ["too long", "a".repeat(33)],
    ["a space", "has space"],
    ["punctuation", "bad!name"],
    ["a non-ASCII letter", "jos\u00e9"],
    ["an at sign", "a@b"],
    ["empty", ""],
  ])("refuses a username with %s", async (_, username) => {
    const ctx = await createTestContext();
    await expectFieldError(await signup(ctx, userValues({ username })), "/username");
  });

  test.each([
    ["three characters", "abc"],
    ["32 characters", "a".repeat(32)],
    ["every allowed symbol", "A.b-c_9"],
  ])("accepts a username of %s", async (_, username) => {
    const ctx = await createTestContext();
    const body = await expectJson(await signup(ctx, userValues({ username })), 201);
    expect((body.user as { username: string }).username).toBe(username);
  });

  test.each(["not-an-email", "a@", "@example.com", "two words@example.com", ""])(
    "refuses the email %p",
    async (email) => {
      const ctx = await createTestContext();
      await expectFieldError(await signup(ctx, userValues({ email })), "/email");
    },
  );

  test("holds passwords to 8–128 characters", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    await expectFieldError(await signup(ctx, userValues({ password: "Zx9!kQ2" })), "/password");
    await expectFieldError(
      await signup(ctx, userValues({ password: `${"Zx9!".repeat(32)}k` })),
      "/password",
    );
    await expectJson(await signup(ctx, userValues({ password: "Zx9!kQ2w" })), 201);
    await expectJson(await signup(ctx, userValues({ password: "Zx9!".repeat(32) })), 201);
  });

  test.each(["password123", "qwertyuiop", "PassWord123"])(
    "refuses the common password %p and creates nothing",
    async (password) => {
      const ctx = await createTestContext();
      const values = userValues({ password });
      const problem = await expectFieldError(await signup(ctx, values), "/password");
      expect(problem.errors).toEqual([{ path: "/password", message: expect.any(String) }]);
      // Nothing was stored: the same name is still free.
      await expectJson(await signup(ctx, { ...values, password: "Sturdy-horse-battery" }), 201);
    },
  );

  test("refuses a duplicate username or email whatever its case", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const first = userValues();
    await expectJson(await signup(ctx, first), 201);
    const sameName = userValues({ username: first.username.toUpperCase() });
    const sameEmail = userValues({ email: first.email.toUpperCase() });
    for (const values of [sameName, sameEmail]) {
      const problem = await expectProblem(await signup(ctx, values), 400, "bad_request");
      expect(problem.detail).toBe("Username or email already exists");
    }
  });

  test.each([
    ["an unknown field", { is_admin: true }, "/is_admin"],
    ["id", { id: 1 }, "/id"],
    ["role", { role: "superadmin" }, "/role"],
    ["owner_id", { owner_id: 1 }, "/owner_id"],
    ["created_at", { created_at: "2020-01-01T00:00:00.000Z" }, "/created_at"],
  ])("refuses %s in the body and creates nothing", async (_, extra, path) => {
    const ctx = await createTestContext();
    const values = userValues();
    await expectFieldError(await signup(ctx, { ...values, ...extra }), path);
    const login = await ctx.request(LOGIN, {
      body: { email: values.email, password: values.password },
    });
    await expectProblem(login, 401, "unauthorized_error");
  });

  test("refuses a full name over 100 characters", async () => {
    const ctx = await createTestContext();
    await expectFieldError(
      await signup(ctx, userValues({ full_name: "x".repeat(101) })),
      "/full_name",
    );
  });

  test("answers malformed JSON with 400, plain text with 415, no body with 422", async () => {
    const ctx = await createTestContext();
    const malformed = await expectProblem(
      await ctx.request(SIGNUP, { body: '{"username": "ada",' }),
      400,
      "bad_request",
    );
    expect(malformed.instance).toBe(SIGNUP);
    await expectProblem(
      await ctx.request(SIGNUP, {
        body: JSON.stringify(userValues()),
        headers: { "content-type": "text/plain" },
      }),
      415,
      "unsupported_media_type",
    );
    await expectProblem(await ctx.request(SIGNUP, { method: "POST" }), 422, "validation_error");
  });
});

describe("POST /auth/login", () => {
  test("signs in by email or username in any case and returns a non-cacheable token pair", async () => {
    const ctx = await createTestContext({ ...UNTHROTTLED_ENV, ACCESS_TOKEN_TTL: "120" });
    const user = await createUser(ctx, { username: `Mixed_${Date.now()}` });
    for (const identifier of [
      { email: user.email },
      { email: user.email.toUpperCase() },
      { username: user.username },
      { username: user.username.toLowerCase() },
    ]) {
      const response = await ctx.request(LOGIN, {
        body: { ...identifier, password: user.password },
      });
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = await expectJson(response, 200);
      expect(Object.keys(body).sort()).toEqual(
        ["access_token", "expires_in", "refresh_token", "token_type"].sort(),
      );
      expect(body).toMatchObject({ token_type: "bearer", expires_in: 120 });
      expect(body.access_token).toBeString();
      expect(body.refresh_token).toBeString();
      const me = await ctx.request("/api/v1/users/me", { token: body.access_token as string });
      expect((await expectJson(me, 200)).id).toBe(user.id);
    }
  });

  test("expires_in follows ACCESS_TOKEN_TTL's default of 900 seconds", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(LOGIN, {
      body: { username: user.username, password: user.password },
    });
    expect((await expectJson(response, 200)).expires_in).toBe(900);
  });

  test("a wrong password and an unknown account get the same 401", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const attempts = [
      { email: user.email, password: `${user.password}x` },
      { email: `nobody-${user.email}`, password: user.password },
      { username: user.username, password: "Wrong-password-123" },
      { username: `${user.username}_ghost`, password: "Wrong-password-123" },
    ];
    const bodies: Record<string, unknown>[] = [];
    for (const body of attempts) {
      const response = await ctx.request(LOGIN, { body });
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      expect(response.headers.get("cache-control")).not.toBe("public");
      const problem = await expectProblem(response, 401, "unauthorized_error");
      expect(problem.detail).toBe("Incorrect email or password");
      const { request_id: _, instance: __, ...rest } = problem;
      bodies.push(rest);
    }
    for (const body of bodies) expect(body).toEqual(bodies[0] as Record<string, unknown>);
    expect(Object.keys(bodies[0] ?? {}).sort()).toEqual([
      "code",
      "detail",
      "status",
      "title",
      "type",
    ]);
  });

  test("an unknown account still spends one password verification, like a known one", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const real = spyOn(ctx.deps.passwords, "verify");
    const dummy = spyOn(ctx.deps.passwords, "verifyAgainstDummy");
    await ctx.request(LOGIN, { body: { email: user.email, password: "Wrong-password-1" } });
    expect([real.mock.calls.length, dummy.mock.calls.length]).toEqual([1, 0]);
    await ctx.request(LOGIN, {
      body: { email: "ghost@example.com", password: "Wrong-password-1" },
    });
    expect([real.mock.calls.length, dummy.mock.calls.length]).toEqual([1, 1]);
  });

  test.each([
    ["neither identifier", {}],
    ["both identifiers", { email: "a@example.com", username: "a_user" }],
    ["an unknown field", { email: "a@example.com", remember_me: true }],
  ])("refuses %s with 422", async (_, identifiers) => {
    const ctx = await createTestContext();
    await expectProblem(
      await ctx.request(LOGIN, { body: { ...identifiers, password: "Whatever-123" } }),
      422,
      "validation_error",
    );
  });

  test("refuses a missing password with 422", async () => {
    const ctx = await createTestContext();
    await expectFieldError(
      await ctx.request(LOGIN, { body: { email: "a@example.com" } }),
      "/password",
    );
  });

  test("records the time of the last login", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    ctx.clock.advance(5_000);
    const tokens = await expectJson(
      await ctx.request(LOGIN, { body: { email: user.email, password: user.password } }),
      200,
    );
    const me = await expectJson(
      await ctx.request("/api/v1/users/me", { token: tokens.access_token as string }),
      200,
    );
    expect(me.last_login_at).toBe(new Date(ctx.clock.now()).toISOString());
  });
});

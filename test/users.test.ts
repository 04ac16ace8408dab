import { describe, expect, test } from "bun:test";
import { createTestContext } from "./support/app";
import { createUser, expectProblem, userValues } from "./support/factories";

const ME = "/api/v1/users/me";

describe("GET /users/me", () => {
  test("returns the signed-in user's profile and nothing secret", async () => {
    const ctx = await createTestContext();
    const values = userValues({ full_name: "Grace Hopper" });
    const signup = await ctx.request("/api/v1/auth/signup", { body: values });
    const created = ((await signup.json()) as { user: Record<string, unknown> }).user;
    ctx.clock.advance(1_000);
    const login = await ctx.request("/api/v1/auth/login", {
      body: { username: values.username, password: values.password },
    });
    const { access_token } = (await login.json()) as { access_token: string };

    const response = await ctx.request(ME, { token: access_token });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      ...created,
      id: expect.any(Number),
      username: values.username,
      email: values.email,
      full_name: "Grace Hopper",
      role: "user",
      email_verified: false,
      created_at: new Date(ctx.clock.now() - 1_000).toISOString(),
      last_login_at: new Date(ctx.clock.now()).toISOString(),
    });
    expect(text.toLowerCase()).not.toContain("password");
    expect(text).not.toContain("argon2");
  });

  test("each user sees only themselves", async () => {
    const ctx = await createTestContext();
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    for (const user of [alice, bob]) {
      const response = await ctx.request(ME, { token: user.accessToken });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: user.id, username: user.username });
    }
  });

  test("refuses an anonymous caller with 401 and the Bearer challenge", async () => {
    const ctx = await createTestContext();
    const response = await ctx.request(ME);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    const problem = await expectProblem(response, 401, "unauthorized_error");
    expect(problem.instance).toBe(ME);
    expect(problem.request_id).toBe(response.headers.get("x-request-id") ?? "missing");
  });

  test.each([
    ["lower-case scheme", (token: string) => `bearer ${token}`, 200],
    ["Basic scheme", (token: string) => `Basic ${token}`, 401],
    ["two tokens", (token: string) => `Bearer ${token} ${token}`, 401],
    ["an empty token", () => "Bearer ", 401],
  ])("an Authorization header with %s gets the right status", async (_, header, status) => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const response = await ctx.request(ME, {
      headers: { authorization: header(user.accessToken) },
    });
    expect(response.status).toBe(status);
    if (status === 401) await expectProblem(response, 401, "unauthorized_error");
  });

  test("a deactivated user's tokens stop working at once, and sign-in is refused", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await ctx.deps.sql.run("UPDATE users SET is_active = 0 WHERE id = ?", [user.id]);
    await expectProblem(
      await ctx.request(ME, { token: user.accessToken }),
      401,
      "unauthorized_error",
    );
    await expectProblem(
      await ctx.request("/api/v1/auth/refresh", { body: { refresh_token: user.refreshToken } }),
      401,
      "unauthorized_error",
    );
    await expectProblem(
      await ctx.request("/api/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      403,
      "forbidden_access",
    );
  });

  test("a token naming a deleted account is refused", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await ctx.deps.sql.run("DELETE FROM users WHERE id = ?", [user.id]);
    await expectProblem(
      await ctx.request(ME, { token: user.accessToken }),
      401,
      "unauthorized_error",
    );
  });
});

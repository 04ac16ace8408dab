import { describe, expect, test } from "bun:test";
import { createAccount } from "../src/modules/auth/service";
import type { Role } from "../src/platform/db/tables";
import { countRows, expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { expectProblem, login, userValues } from "./support/factories";

// Closed sign-up (ALLOW_SIGNUP=false) and the admin route that creates accounts instead.
const CLOSED = { ...UNTHROTTLED_ENV, ALLOW_SIGNUP: "false" };
const USERS = "/api/v1/admin/users";

/** An account made as the CLI makes it (sign-up may be closed), signed in. */
async function accountWithRole(ctx: TestContext, role: Role) {
  const values = userValues();
  const user = await createAccount(ctx.deps, values, { verified: true, role });
  const tokens = await login(ctx, values.email, values.password);
  return { id: user.id, ...values, accessToken: tokens.access_token };
}

function create(ctx: TestContext, token: string | undefined, body: unknown) {
  return ctx.request(USERS, { token, body });
}

describe("ALLOW_SIGNUP=false", () => {
  test("public sign-up answers 403 forbidden_access, whatever the body, and creates nobody", async () => {
    const ctx = await createTestContext(CLOSED);
    for (const body of [userValues(), { username: "x" }, {}]) {
      const problem = await expectProblem(
        await ctx.request("/api/v1/auth/signup", { body }),
        403,
        "forbidden_access",
      );
      expect(problem.detail).toBe(
        "Sign-up is closed on this server; ask an administrator for an account",
      );
    }
    expect(await countRows(ctx, "users", "1 = 1")).toBe(0);
    expect(await countRows(ctx, "jobs", "1 = 1")).toBe(0);
  });

  test("sign-in, and accounts an admin creates, still work", async () => {
    const ctx = await createTestContext(CLOSED);
    const admin = await accountWithRole(ctx, "admin");
    const values = userValues();
    const response = await create(ctx, admin.accessToken, values);
    expect(response.status).toBe(201);
    expect((await login(ctx, values.username, values.password)).access_token).toBeString();
  });

  test("open by default", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    expect(ctx.deps.config.allowSignup).toBe(true);
    const response = await ctx.request("/api/v1/auth/signup", { body: userValues() });
    expect(response.status).toBe(201);
  });
});

describe("POST /api/v1/admin/users", () => {
  test("a superadmin creates a verified admin: 201, Location, and the account signs in", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await accountWithRole(ctx, "superadmin");
    const values = { ...userValues(), full_name: "  Grace Hopper  " };
    const response = await create(ctx, root.accessToken, { ...values, role: "admin" });
    const body = await expectJsonBody<Record<string, unknown>>(response, 201);
    expect(body).toMatchObject({
      username: values.username,
      email: values.email.toLowerCase(),
      full_name: "Grace Hopper",
      role: "admin",
      email_verified: true,
      is_active: true,
      last_login_at: null,
    });
    expect(body).not.toHaveProperty("password");
    expect(body).not.toHaveProperty("password_hash");
    expect(response.headers.get("location")).toBe(`${USERS}/${body.id}`);

    const fetched = await ctx.request(`${USERS}/${body.id}`, { token: root.accessToken });
    expect(await expectJsonBody(fetched)).toEqual(body);
    // Verified by the admin: no verification email is queued.
    expect(await countRows(ctx, "jobs", "1 = 1")).toBe(0);
    const tokens = await login(ctx, values.email, values.password);
    const me = await ctx.request("/api/v1/users/me", { token: tokens.access_token });
    expect(await expectJsonBody(me)).toMatchObject({ role: "admin", email_verified: true });
    expect(ctx.logs.find((line) => line.msg === "user created by admin")).toMatchObject({
      user_id: body.id,
      by: root.id,
      role: "admin",
    });
  });

  test("an admin creates plain users (the default role) but no admins or superadmins", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await accountWithRole(ctx, "admin");
    const plain = await create(ctx, admin.accessToken, userValues());
    expect((await expectJsonBody(plain, 201)).role).toBe("user");
    const explicit = await create(ctx, admin.accessToken, { ...userValues(), role: "user" });
    expect((await expectJsonBody(explicit, 201)).role).toBe("user");
    for (const role of ["admin", "superadmin"]) {
      const problem = await expectProblem(
        await create(ctx, admin.accessToken, { ...userValues(), role }),
        403,
        "forbidden_access",
      );
      expect(problem.detail).toBe("Only a superadmin can create admins and superadmins");
    }
    expect(await countRows(ctx, "users", "1 = 1")).toBe(3);
  });

  test("plain users get 403 and anonymous callers 401, before the body is looked at", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await accountWithRole(ctx, "user");
    for (const body of [userValues(), { nonsense: true }]) {
      await expectProblem(await create(ctx, user.accessToken, body), 403, "forbidden_access");
      await expectProblem(await create(ctx, undefined, body), 401, "unauthorized_error");
    }
    expect(await countRows(ctx, "users", "1 = 1")).toBe(1);
  });

  test.each([
    ["a bad username", { username: "a b" }, "/username"],
    ["a bad email", { email: "not-an-email" }, "/email"],
    ["a short password", { password: "short" }, "/password"],
    ["a common password", { password: "password123" }, "/password"],
    ["an unknown role", { role: "king" }, "/role"],
    ["a long full name", { full_name: "x".repeat(101) }, "/full_name"],
    ["a server-owned field", { email_verified: false }, "/email_verified"],
    ["an unknown field", { is_active: false }, "/is_active"],
  ])("%s is 422 naming the field", async (_name, change, path) => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await accountWithRole(ctx, "superadmin");
    const problem = await expectProblem(
      await create(ctx, root.accessToken, { ...userValues(), ...change }),
      422,
      "validation_error",
    );
    expect(problem.errors?.map((error) => error.path)).toContain(path);
    expect(await countRows(ctx, "users", "1 = 1")).toBe(1);
  });

  test("a taken username or email (any case) answers as sign-up does", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await accountWithRole(ctx, "superadmin");
    for (const body of [
      { ...userValues(), username: root.username.toUpperCase() },
      { ...userValues(), email: root.email.toUpperCase() },
    ]) {
      const problem = await expectProblem(
        await create(ctx, root.accessToken, body),
        400,
        "bad_request",
      );
      expect(problem.detail).toBe("Username or email already exists");
    }
    expect(await countRows(ctx, "users", "1 = 1")).toBe(1);
  });
});

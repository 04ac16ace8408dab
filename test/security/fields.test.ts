import { describe, expect, test } from "bun:test";
import { countRows, createUserWithRole } from "../support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "../support/app";
import { concretePath } from "../support/authz";
import { createTask, createUser, expectProblem, userValues } from "../support/factories";

/** Fields only the server sets. Sending any of them is refused, never ignored. */
const USER_FIELDS = {
  id: 99,
  role: "superadmin",
  email_verified: true,
  is_active: true,
  password_hash: "$argon2id$forged",
  created_at: "2020-01-01T00:00:00.000Z",
  updated_at: "2020-01-01T00:00:00.000Z",
  last_login_at: "2020-01-01T00:00:00.000Z",
};
const TASK_FIELDS = {
  id: 99,
  owner_id: 1,
  board_id: 1,
  completed_at: "2020-01-01T00:00:00.000Z",
  created_at: "2020-01-01T00:00:00.000Z",
  updated_at: "2020-01-01T00:00:00.000Z",
  version: 42,
};

/** The one route where an admin sets what is otherwise server-owned. */
const ADMIN_WRITABLE: Record<string, string[]> = {
  "PATCH /api/v1/admin/users/:id": ["role", "is_active"],
  // An admin creating an account chooses its role (superadmins only for admin roles).
  "POST /api/v1/admin/users": ["role"],
};

async function expectRefusedField(response: Response, field: string) {
  const problem = await expectProblem(response, 422, "validation_error");
  expect(problem.errors?.map((error) => error.path)).toContain(`/${field}`);
}

async function taskState(ctx: TestContext, token: string, id: number) {
  const response = await ctx.request(`/api/v1/tasks/${id}`, { token });
  return response.json();
}

describe("server-owned fields in a write body are rejected with 422", () => {
  test("sign-up: id, role, email_verified, is_active, password_hash, timestamps", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (const [field, value] of Object.entries(USER_FIELDS)) {
      const body = { ...userValues(), [field]: value };
      await expectRefusedField(await ctx.request("/api/v1/auth/signup", { body }), field);
    }
    expect(await countRows(ctx, "users", "1 = ?", 1)).toBe(0);
  });

  test("PATCH /users/me: the same fields, and the profile stays as it was", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const me = () => ctx.request("/api/v1/users/me", { token: user.accessToken });
    const before = await (await me()).json();
    for (const [field, value] of Object.entries(USER_FIELDS)) {
      const response = await ctx.request("/api/v1/users/me", {
        method: "PATCH",
        token: user.accessToken,
        body: { full_name: "Changed", [field]: value },
      });
      await expectRefusedField(response, field);
    }
    expect(await (await me()).json()).toEqual(before);
  });

  test("POST /tasks: id, owner_id, board_id, completed_at, timestamps, version", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    for (const [field, value] of Object.entries(TASK_FIELDS)) {
      const response = await ctx.request("/api/v1/tasks", {
        token: user.accessToken,
        body: { title: "Mine", [field]: value },
      });
      await expectRefusedField(response, field);
    }
    expect(await countRows(ctx, "tasks", "1 = ?", 1)).toBe(0);
  });

  test("PUT and PATCH /tasks/:id: the same fields, and the task is unchanged", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const task = await createTask(ctx, user);
    const before = await taskState(ctx, user.accessToken, task.id);
    for (const method of ["PUT", "PATCH"]) {
      for (const [field, value] of Object.entries(TASK_FIELDS)) {
        const response = await ctx.request(`/api/v1/tasks/${task.id}`, {
          method,
          token: user.accessToken,
          body: { title: "Renamed", [field]: value },
        });
        await expectRefusedField(response, field);
      }
    }
    expect(await taskState(ctx, user.accessToken, task.id)).toEqual(before);
  });

  test("PATCH /admin/users/:id: only role and is_active are writable", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUserWithRole(ctx, "superadmin");
    const target = await createUser(ctx);
    const { role: _role, is_active: _active, ...owned } = USER_FIELDS;
    for (const [field, value] of Object.entries({ ...owned, email: "x@example.com" })) {
      const response = await ctx.request(`/api/v1/admin/users/${target.id}`, {
        method: "PATCH",
        token: root.accessToken,
        body: { is_active: false, [field]: value },
      });
      await expectRefusedField(response, field);
    }
    const me = await ctx.request("/api/v1/users/me", { token: target.accessToken });
    expect(me.status).toBe(200);
  });

  test("every route that takes a body refuses server-owned fields, new routes included", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUserWithRole(ctx, "superadmin");
    const owned = { ...USER_FIELDS, ...TASK_FIELDS };
    const withBody = ctx.app.routes.filter(
      (route) => (route as { hooks?: { body?: unknown } }).hooks?.body !== undefined,
    );
    expect(withBody.length).toBeGreaterThanOrEqual(15);
    const wrong: string[] = [];
    for (const route of withBody) {
      const response = await ctx.request(concretePath(route.path), {
        method: route.method,
        token: root.accessToken,
        body: owned,
      });
      const text = await response.text();
      const paths = (JSON.parse(text) as { errors?: { path: string }[] }).errors?.map(
        (e) => e.path,
      );
      const allowed = ADMIN_WRITABLE[`${route.method} ${route.path}`] ?? [];
      const missed = Object.keys(owned).filter(
        (field) => !allowed.includes(field) && !paths?.includes(`/${field}`),
      );
      if (response.status !== 422 || missed.length > 0) {
        wrong.push(`${route.method} ${route.path}: ${response.status}, not refused: ${missed}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await countRows(ctx, "users", "1 = ?", 1)).toBe(1);
  });
});

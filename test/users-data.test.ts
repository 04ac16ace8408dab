import { describe, expect, test } from "bun:test";
import { countRows, expectJsonBody, setRole, userRow } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser, expectProblem, login, type TestUser } from "./support/factories";
import { countIndexedTasks } from "./support/search";

// Deleting and exporting one's own account: the data-rights half of /users/me.
const ME = "/api/v1/users/me";
const EXPORT = `${ME}/export`;

describe("DELETE /users/me", () => {
  const OWNED: [table: string, where: string][] = [
    ["users", "id = ?"],
    ["sessions", "user_id = ?"],
    ["refresh_tokens", "session_id IN (SELECT id FROM sessions WHERE user_id = ?)"],
    ["tasks", "owner_id = ?"],
    ["task_tags", "task_id IN (SELECT id FROM tasks WHERE owner_id = ?)"],
    ["one_time_codes", "user_id = ?"],
    ["password_reset_tokens", "user_id = ?"],
    ["idempotency_keys", "user_id = ?"],
  ];

  async function seed(ctx: TestContext, user: TestUser) {
    await createTask(ctx, user, { title: "alpha findme", tags: ["one", "two"] });
    await createTask(ctx, user, { title: "beta findme", tags: ["three"] });
    const retried = await ctx.request("/api/v1/tasks", {
      token: user.accessToken,
      headers: { "idempotency-key": `key-${user.id}` },
      body: { title: "gamma" },
    });
    expect(retried.status).toBe(201);
    await login(ctx, user.email, user.password);
    // A pending email change leaves a verification code behind.
    await expectJsonBody(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { email: `moved.${user.email}`, current_password: user.password },
      }),
    );
    await ctx.deps.sql.run(
      "INSERT INTO password_reset_tokens (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
      [user.id, `hash-${user.id}`, ctx.clock.now(), ctx.clock.now() + 60_000],
    );
  }

  test("removes the account and everything it owns, and only that", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const bystander = await createUser(ctx);
    await seed(ctx, user);
    await seed(ctx, bystander);
    // A task of the bystander's assigned to the leaver loses its assignee, not its existence.
    const shared = await createTask(ctx, bystander, { title: "shared" });
    await ctx.deps.sql.run("UPDATE tasks SET assignee_id = ? WHERE id = ?", [user.id, shared.id]);
    for (const [table, where] of OWNED) {
      expect(await countRows(ctx, table, where, user.id)).toBeGreaterThan(0);
    }
    const ftsBefore = await countIndexedTasks(ctx, "findme");

    const response = await ctx.request(ME, {
      method: "DELETE",
      token: user.accessToken,
      body: { password: user.password },
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");

    for (const [table, where] of OWNED) {
      expect(`${table}: ${await countRows(ctx, table, where, user.id)}`).toBe(`${table}: 0`);
      expect(await countRows(ctx, table, where, bystander.id)).toBeGreaterThan(0);
    }
    expect(await countIndexedTasks(ctx, "findme")).toBe(ftsBefore - 2);
    expect(await countRows(ctx, "tasks", "id = ? AND assignee_id IS NULL", shared.id)).toBe(1);

    await expectProblem(
      await ctx.request(ME, { token: user.accessToken }),
      401,
      "unauthorized_error",
    );
    await expectProblem(
      await ctx.request("/api/v1/auth/login", {
        body: { username: user.username, password: user.password },
      }),
      401,
      "unauthorized_error",
    );
    expect((await ctx.request(ME, { token: bystander.accessToken })).status).toBe(200);
    // The name is free again.
    expect(
      (
        await ctx.request("/api/v1/auth/signup", {
          body: { username: user.username, email: user.email, password: user.password },
        })
      ).status,
    ).toBe(201);
  });

  test("a wrong password is 400 and a missing one 422; the account stays", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const problem = await expectProblem(
      await ctx.request(ME, {
        method: "DELETE",
        token: user.accessToken,
        body: { password: "not-the-password" },
      }),
      400,
      "bad_request",
    );
    expect(problem.detail).toBe("Password is incorrect");
    await expectProblem(
      await ctx.request(ME, { method: "DELETE", token: user.accessToken, body: {} }),
      422,
      "validation_error",
    );
    await expectProblem(
      await ctx.request(ME, { method: "DELETE", body: { password: user.password } }),
      401,
      "unauthorized_error",
    );
    expect(await countRows(ctx, "users", "id = ?", user.id)).toBe(1);
    expect((await ctx.request(ME, { token: user.accessToken })).status).toBe(200);
  });

  test("the last active superadmin cannot delete their account (409)", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUser(ctx);
    const spare = await createUser(ctx);
    await setRole(ctx, root, "superadmin");
    // An inactive superadmin does not count as a successor.
    await setRole(ctx, spare, "superadmin", false);
    const remove = () =>
      ctx.request(ME, {
        method: "DELETE",
        token: root.accessToken,
        body: { password: root.password },
      });
    const problem = await expectProblem(await remove(), 409, "conflict");
    expect(problem.detail).toContain("last active superadmin");
    expect(await countRows(ctx, "users", "id = ?", root.id)).toBe(1);

    await setRole(ctx, spare, "superadmin", true);
    expect((await remove()).status).toBe(204);
    expect(await countRows(ctx, "users", "id = ?", root.id)).toBe(0);
  });
});

describe("GET /users/me/export", () => {
  test("is one attachment with the profile, tasks with tags and sessions, and no secrets", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const other = await createUser(ctx);
    await createTask(ctx, other, { title: "not mine" });
    const first = await createTask(ctx, user, { title: "first", tags: ["Home", "urgent"] });
    const second = await createTask(ctx, user, { title: "second", priority: 3 });
    const secondLogin = await login(ctx, user.email, user.password);
    await ctx.request(ME, {
      method: "PATCH",
      token: user.accessToken,
      body: { email_notifications: false },
    });
    ctx.clock.advance(60_000);

    const response = await ctx.request(EXPORT, {
      token: user.accessToken,
      headers: { "user-agent": "export-test" },
    });
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="kanbun-export-${user.username}.json"`,
    );
    const text = await response.clone().text();
    const body = await expectJsonBody(response);
    expect(Object.keys(body).sort()).toEqual([
      "boards",
      "comments",
      "exported_at",
      "memberships",
      "notifications",
      "profile",
      "sessions",
      "tasks",
    ]);
    expect(body.exported_at).toBe(new Date(ctx.clock.now()).toISOString());
    expect(body.profile).toMatchObject({
      id: user.id,
      username: user.username,
      email: user.email,
      role: "user",
      email_notifications: false,
      updated_at: expect.any(String),
    });
    const tasks = body.tasks as { id: number; title: string; tags: string[] }[];
    expect(tasks.map((task) => [task.id, task.title, task.tags])).toEqual([
      [first.id, "first", ["home", "urgent"]],
      [second.id, "second", []],
    ]);
    expect(tasks[1] as unknown).toEqual(second);
    const sessions = body.sessions as Record<string, unknown>[];
    expect(sessions).toHaveLength(2);
    expect(Object.keys(sessions[0] ?? {}).sort()).toEqual(
      ["created_at", "expires_at", "id", "ip", "last_used_at", "revoked_at", "user_agent"].sort(),
    );

    const secrets = [
      user.password,
      user.refreshToken,
      secondLogin.refresh_token,
      user.accessToken,
      (await userRow(ctx, user.id))?.passwordHash ?? "missing",
      ...(
        await ctx.deps.sql.all<{ token_hash: string }>("SELECT token_hash FROM refresh_tokens")
      ).map((r) => r.token_hash),
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("argon2");
    expect(text.toLowerCase()).not.toContain("hash");
    expect(text.toLowerCase()).not.toContain("password");
    expect(text).not.toContain("not mine");
  });

  test("a user with nothing yet exports empty lists; anonymous is 401", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const body = await expectJsonBody(await ctx.request(EXPORT, { token: user.accessToken }));
    expect(body.tasks).toEqual([]);
    expect([body.boards, body.memberships, body.comments]).toEqual([[], [], []]);
    expect(body.sessions).toHaveLength(1);
    await expectProblem(await ctx.request(EXPORT), 401, "unauthorized_error");
  });
});

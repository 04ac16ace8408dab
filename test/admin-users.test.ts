import { describe, expect, test } from "bun:test";
import { createUserWithRole, expectJsonBody, setRole, userRow } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

// Changing and deleting users as an admin: the role rules and the last-superadmin guard.
const ADMIN = "/api/v1/admin";
const userPath = (id: number) => `${ADMIN}/users/${id}`;

function patch(ctx: TestContext, actor: TestUser, target: { id: number }, body: unknown) {
  return ctx.request(userPath(target.id), { method: "PATCH", token: actor.accessToken, body });
}

function remove(ctx: TestContext, actor: TestUser, target: { id: number }) {
  return ctx.request(userPath(target.id), { method: "DELETE", token: actor.accessToken });
}

describe("PATCH /admin/users/{id}", () => {
  test("deactivating a user ends their sessions at once; reactivating lets them sign in again", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const user = await createUser(ctx);
    ctx.clock.advance(1_000);
    const body = (await expectJsonBody(
      await patch(ctx, admin, user, { is_active: false }),
    )) as Record<string, unknown>;
    expect(body).toMatchObject({ id: user.id, is_active: false, role: "user" });
    expect(body.updated_at).toBe(new Date(ctx.clock.now()).toISOString());
    expect(
      await ctx.deps.sql.all("SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL", [
        user.id,
      ]),
    ).toHaveLength(0);

    await expectProblem(
      await ctx.request("/api/v1/users/me", { token: user.accessToken }),
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

    expect(await expectJsonBody(await patch(ctx, admin, user, { is_active: true }))).toMatchObject({
      is_active: true,
    });
    const login = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(200);
    // Old sessions stay ended after reactivation.
    await expectProblem(
      await ctx.request("/api/v1/users/me", { token: user.accessToken }),
      401,
      "unauthorized_error",
    );
  });

  test("an admin cannot grant or remove admin rights, or touch another admin or superadmin", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const otherAdmin = await createUserWithRole(ctx, "admin");
    const root = await createUserWithRole(ctx, "superadmin");
    const user = await createUser(ctx);
    const refused: [{ id: number }, unknown][] = [
      [user, { role: "admin" }],
      [user, { role: "superadmin" }],
      [user, { role: "admin", is_active: true }],
      [otherAdmin, { role: "user" }],
      [otherAdmin, { is_active: false }],
      [admin, { role: "superadmin" }],
      [admin, { is_active: false }],
      [root, { is_active: false }],
      [root, { role: "user" }],
    ];
    for (const [target, body] of refused) {
      await expectProblem(await patch(ctx, admin, target, body), 403, "forbidden_access");
    }
    for (const target of [otherAdmin, root, admin]) {
      await expectProblem(await remove(ctx, admin, target), 403, "forbidden_access");
    }
    const rows = [];
    for (const u of [user, otherAdmin, root, admin]) {
      const row = await userRow(ctx, u.id);
      rows.push([row?.role, row?.isActive]);
    }
    expect(rows).toEqual([
      ["user", true],
      ["admin", true],
      ["superadmin", true],
      ["admin", true],
    ]);
    // Keeping a plain user's role as it is, is not a role change.
    expect(
      await expectJsonBody(await patch(ctx, admin, user, { role: "user", is_active: true })),
    ).toMatchObject({
      role: "user",
    });
  });

  test("a superadmin grants and removes admin rights, which take effect on the next request", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUserWithRole(ctx, "superadmin");
    const user = await createUser(ctx);
    await expectProblem(
      await ctx.request(`${ADMIN}/users`, { token: user.accessToken }),
      403,
      "forbidden_access",
    );
    expect(await expectJsonBody(await patch(ctx, root, user, { role: "admin" }))).toMatchObject({
      role: "admin",
    });
    expect((await ctx.request(`${ADMIN}/users`, { token: user.accessToken })).status).toBe(200);
    expect(
      await expectJsonBody(await patch(ctx, root, user, { role: "superadmin" })),
    ).toMatchObject({
      role: "superadmin",
    });
    expect(await expectJsonBody(await patch(ctx, root, user, { role: "user" }))).toMatchObject({
      role: "user",
    });
    await expectProblem(
      await ctx.request(`${ADMIN}/users`, { token: user.accessToken }),
      403,
      "forbidden_access",
    );
  });

  test("a superadmin may deactivate and delete admins", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUserWithRole(ctx, "superadmin");
    const admin = await createUserWithRole(ctx, "admin");
    const other = await createUserWithRole(ctx, "admin");
    expect(await expectJsonBody(await patch(ctx, root, admin, { is_active: false }))).toMatchObject(
      {
        is_active: false,
      },
    );
    await expectProblem(
      await ctx.request(`${ADMIN}/users`, { token: admin.accessToken }),
      401,
      "unauthorized_error",
    );
    expect((await remove(ctx, root, other)).status).toBe(204);
    expect(await userRow(ctx, other.id)).toBeUndefined();
  });

  test("nobody can demote, deactivate or delete the last active superadmin", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUserWithRole(ctx, "superadmin");
    const spare = await createUserWithRole(ctx, "superadmin");
    await setRole(ctx, spare, "superadmin", false);
    for (const body of [{ role: "admin" }, { role: "user" }, { is_active: false }]) {
      const problem = await expectProblem(await patch(ctx, root, root, body), 409, "conflict");
      expect(problem.detail).toContain("last active superadmin");
    }
    await expectProblem(await remove(ctx, root, root), 409, "conflict");
    expect(await userRow(ctx, root.id)).toMatchObject({ role: "superadmin", isActive: true });
    // A no-op on the last superadmin is fine.
    expect((await patch(ctx, root, root, { role: "superadmin", is_active: true })).status).toBe(
      200,
    );

    // With a second active superadmin the first may step down.
    expect(await expectJsonBody(await patch(ctx, root, spare, { is_active: true }))).toMatchObject({
      is_active: true,
    });
    expect(await expectJsonBody(await patch(ctx, root, root, { role: "admin" }))).toMatchObject({
      role: "admin",
    });
    // ... and now the spare is the last one.
    await expectProblem(await patch(ctx, spare, spare, { role: "user" }), 409, "conflict");
    await expectProblem(await remove(ctx, spare, spare), 409, "conflict");
    expect((await userRow(ctx, spare.id))?.role).toBe("superadmin");
  });

  test("unknown users are 404; unknown fields and bad values are 422", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const root = await createUserWithRole(ctx, "superadmin");
    const user = await createUser(ctx);
    await expectProblem(
      await patch(ctx, root, { id: 999_999 }, { is_active: false }),
      404,
      "not_found",
    );
    await expectProblem(await remove(ctx, root, { id: 999_999 }), 404, "not_found");
    for (const body of [
      { role: "owner" },
      { is_active: "no" },
      { email: "x@example.com" },
      { password: "Another-long-passphrase-1" },
      { id: 5 },
    ]) {
      await expectProblem(await patch(ctx, root, user, body), 422, "validation_error");
    }
    expect(await userRow(ctx, user.id)).toMatchObject({
      role: "user",
      isActive: true,
      email: user.email,
    });
  });
});

describe("DELETE /admin/users/{id}", () => {
  test("an admin deletes a plain user and everything they own", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const user = await createUser(ctx);
    await createTask(ctx, user, { tags: ["a"] });
    await createTask(ctx, admin);
    const response = await remove(ctx, admin, user);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    const count = async (table: string, column: string, id: number) =>
      (
        await ctx.deps.sql.get<{ n: number }>(
          `SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`,
          [id],
        )
      )?.n;
    expect([
      await count("tasks", "owner_id", user.id),
      await count("sessions", "user_id", user.id),
    ]).toEqual([0, 0]);
    expect(await count("tasks", "owner_id", admin.id)).toBe(1);
    await expectProblem(
      await ctx.request("/api/v1/users/me", { token: user.accessToken }),
      401,
      "unauthorized_error",
    );
    await expectProblem(
      await ctx.request(userPath(user.id), { token: admin.accessToken }),
      404,
      "not_found",
    );
    await expectProblem(await remove(ctx, admin, user), 404, "not_found");
  });
});

import { describe, expect, test } from "bun:test";
import { createTokenService } from "../src/platform/tokens";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import {
  badCredentials,
  claimsOf,
  concretePath,
  findUnguardedRoutes,
  protectedRoutes,
} from "./support/authz";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

describe("every protected route refuses bad credentials", () => {
  test("the route list comes from the router and leaves out only public routes", async () => {
    const ctx = await createTestContext();
    const listed = protectedRoutes(ctx).map((route) => `${route.method} ${route.path}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        "GET /api/v1/users/me",
        "POST /api/v1/auth/logout",
        "POST /api/v1/auth/logout-all",
        "GET /api/v1/auth/sessions",
        "DELETE /api/v1/auth/sessions/:id",
        "POST /api/v1/tasks",
        "GET /api/v1/tasks",
        "DELETE /api/v1/tasks",
        "GET /api/v1/tasks/:id",
        "PUT /api/v1/tasks/:id",
        "PATCH /api/v1/tasks/:id",
        "DELETE /api/v1/tasks/:id",
      ]),
    );
    for (const open of ["/health", "/ready", "/docs", "/api/v1/auth/login", "/api/v1/auth/token"]) {
      expect(listed.filter((route) => route.endsWith(` ${open}`))).toEqual([]);
    }
    expect(concretePath("/api/v1/boards/:id/members/:user_id")).toBe("/api/v1/boards/7/members/7");
  });

  test("the forged and expired tokens differ from a good one only where they should", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const secret = ctx.deps.config.jwtSecret ?? "";
    const ttl = ctx.deps.config.accessTokenTtlSeconds;
    // Signed with our secret on our clock, the same claims are accepted: so a 401 for the
    // forged or expired variant is down to the signature or the expiry alone.
    const genuine = await createTokenService(secret, ttl, ctx.clock);
    const token = await genuine.signAccess(claimsOf(user.accessToken));
    expect((await ctx.request("/api/v1/users/me", { token })).status).toBe(200);
    const names = (await badCredentials(ctx, user)).map((credential) => credential.name);
    expect(names).toEqual(expect.arrayContaining(["anonymous", "foreign secret", "expired token"]));
  });

  test("anonymous, malformed, tampered, foreign and expired tokens all get 401", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const routes = protectedRoutes(ctx);
    const failures = await findUnguardedRoutes(ctx, routes, await badCredentials(ctx, user));
    expect(failures).toEqual([]);
    // The user's own token still works: the refusals were not the app being broken.
    expect((await ctx.request("/api/v1/users/me", { token: user.accessToken })).status).toBe(200);
  });

  test("the check notices a route someone forgot to guard", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    ctx.app.get("/api/v1/forgotten/:id", () => ({ open: true }));
    const routes = protectedRoutes(ctx).filter((route) => route.path.includes("forgotten"));
    expect(routes).toEqual([{ method: "GET", path: "/api/v1/forgotten/:id" }]);
    const failures = await findUnguardedRoutes(ctx, routes, await badCredentials(ctx, user));
    expect(failures).toHaveLength((await badCredentials(ctx, user)).length);
    expect(failures[0]).toStartWith("GET /api/v1/forgotten/:id [anonymous]: status 200");
  });

  test("a token of a session that was logged out is refused everywhere", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const logout = await ctx.request("/api/v1/auth/logout", {
      method: "POST",
      token: user.accessToken,
    });
    expect(logout.status).toBe(204);
    const revoked = [{ name: "revoked session", authorization: `Bearer ${user.accessToken}` }];
    expect(await findUnguardedRoutes(ctx, protectedRoutes(ctx), revoked)).toEqual([]);
  });
});

describe("one user's tasks are invisible to another", () => {
  async function twoUsers(): Promise<{ ctx: TestContext; alice: TestUser; bob: TestUser }> {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    return { ctx, alice: await createUser(ctx), bob: await createUser(ctx) };
  }

  async function readTask(ctx: TestContext, user: TestUser, id: number) {
    const response = await ctx.request(`/api/v1/tasks/${id}`, { token: user.accessToken });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  test("GET, PUT, PATCH and DELETE of someone else's task are 404, and it stays unchanged", async () => {
    const { ctx, alice, bob } = await twoUsers();
    const task = await createTask(ctx, alice, { title: "Alice's secret", priority: 2 });
    const before = await readTask(ctx, alice, task.id);
    const missing = await ctx.request("/api/v1/tasks/999999", { token: bob.accessToken });
    const missingProblem = await expectProblem(missing, 404, "not_found");

    const attempts = [
      { method: "GET" },
      { method: "PUT", body: { title: "Bob was here" } },
      { method: "PATCH", body: { completed: true, priority: 4 } },
      { method: "DELETE" },
    ];
    for (const attempt of attempts) {
      const response = await ctx.request(`/api/v1/tasks/${task.id}`, {
        ...attempt,
        token: bob.accessToken,
      });
      const problem = await expectProblem(response, 404, "not_found");
      // Word for word what a task that does not exist gets: nothing leaks its existence.
      expect(problem.detail).toBe(missingProblem.detail);
      expect(problem.title).toBe(missingProblem.title);
    }
    ctx.clock.advance(1_000);
    expect(await readTask(ctx, alice, task.id)).toEqual(before);
  });

  test("a conditional request on someone else's task is 404, not 412 or 304", async () => {
    const { ctx, alice, bob } = await twoUsers();
    const task = await createTask(ctx, alice);
    const etag = (
      await ctx.request(`/api/v1/tasks/${task.id}`, { token: alice.accessToken })
    ).headers.get("etag");
    expect(etag).toBeString();
    for (const [method, header] of [
      ["GET", "if-none-match"],
      ["PATCH", "if-match"],
      ["DELETE", "if-match"],
    ] as const) {
      const response = await ctx.request(`/api/v1/tasks/${task.id}`, {
        method,
        token: bob.accessToken,
        headers: { [header]: etag ?? "" },
        body: method === "PATCH" ? { title: "Bob" } : undefined,
      });
      await expectProblem(response, 404, "not_found");
    }
    expect((await readTask(ctx, alice, task.id)).title).toBe(task.title);
  });

  test("GET /tasks never lists someone else's tasks, whatever the filters", async () => {
    const { ctx, alice, bob } = await twoUsers();
    for (const title of ["zebra plan", "zebra budget", "other"]) {
      await createTask(ctx, alice, { title, tags: ["shared-tag"], priority: 3 });
    }
    const own = await createTask(ctx, bob, { title: "Bob's only task" });
    for (const query of ["", "?q=zebra", "?tag=shared-tag", "?priority=3", "?limit=200"]) {
      const response = await ctx.request(`/api/v1/tasks${query}`, { token: bob.accessToken });
      expect(response.status).toBe(200);
      const tasks = (await response.json()) as { id: number; owner_id: number }[];
      expect(tasks.filter((item) => item.owner_id !== bob.id)).toEqual([]);
      const expected = query === "" || query === "?limit=200" ? [own.id] : [];
      expect(tasks.map((item) => item.id)).toEqual(expected);
      expect(response.headers.get("x-total-count")).toBe(String(expected.length));
    }
  });

  test("DELETE /tasks removes only the caller's tasks", async () => {
    const { ctx, alice, bob } = await twoUsers();
    const alices = [await createTask(ctx, alice), await createTask(ctx, alice)];
    await createTask(ctx, bob);
    const response = await ctx.request("/api/v1/tasks", {
      method: "DELETE",
      token: bob.accessToken,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ deleted: 1 });
    const list = await ctx.request("/api/v1/tasks", { token: alice.accessToken });
    expect(list.headers.get("x-total-count")).toBe("2");
    const ids = ((await list.json()) as { id: number }[]).map((item) => item.id).sort();
    expect(ids).toEqual(alices.map((item) => item.id).sort());
  });
});

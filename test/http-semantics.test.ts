import { describe, expect, test } from "bun:test";
import { setRole } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { concretePath } from "./support/authz";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

const TASKS = "/api/v1/tasks";
const CALLABLE = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** Every route template of the app with the methods it declares, read from the router. */
function declaredMethods(ctx: TestContext): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of ctx.app.routes) {
    if (!CALLABLE.has(method)) continue;
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method);
    byPath.set(path, methods);
  }
  return byPath;
}

/** A superadmin: any route it cannot reach, nobody can. */
async function createSuperadmin(ctx: TestContext): Promise<TestUser> {
  const user = await createUser(ctx);
  setRole(ctx, user, "superadmin");
  return user;
}

async function taskCount(ctx: TestContext, user: TestUser): Promise<number> {
  const response = await ctx.request(TASKS, { token: user.accessToken });
  expect(response.status).toBe(200);
  return Number(response.headers.get("x-total-count"));
}

async function expectSignedIn(ctx: TestContext, user: TestUser): Promise<void> {
  expect((await ctx.request("/api/v1/users/me", { token: user.accessToken })).status).toBe(200);
}

describe("a trailing slash reaches no route", () => {
  test("DELETE /api/v1/tasks/ is 404 and deletes nothing", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    await createTask(ctx, user);
    await createTask(ctx, user);
    const response = await ctx.request(`${TASKS}/`, { method: "DELETE", token: user.accessToken });
    const problem = await expectProblem(response, 404, "not_found");
    expect(problem.instance).toBe(`${TASKS}/`);
    expect(response.headers.get("allow")).toBeNull();
    expect(await taskCount(ctx, user)).toBe(2);
  });

  test("every route with a slash added is 404 for its own method, GET included", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createSuperadmin(ctx);
    const task = await createTask(ctx, admin);
    const failures: string[] = [];
    for (const [path, methods] of declaredMethods(ctx)) {
      if (path === "/docs" || path === "/docs/") continue;
      for (const method of methods) {
        const url = `${concretePath(path).replace("/7", `/${task.id}`)}/`;
        const body = method === "GET" ? undefined : {};
        const response = await ctx.request(url, { method, body, token: admin.accessToken });
        if (response.status !== 404) failures.push(`${method} ${url}: ${response.status}`);
        // A 404, not a redirect to the path without the slash.
        if (response.headers.get("location")) failures.push(`${method} ${url}: redirected`);
      }
    }
    expect(failures).toEqual([]);
    // Nothing any of them would have done was done: the task and the account are still there.
    expect(await taskCount(ctx, admin)).toBe(1);
    await expectSignedIn(ctx, admin);
  });

  test("the named examples: users/me/, admin/users/, health/ and a doubled slash", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createSuperadmin(ctx);
    const calls: [string, string][] = [
      ["GET", "/api/v1/users/me/"],
      ["DELETE", "/api/v1/users/me/"],
      ["PATCH", "/api/v1/users/me/"],
      ["GET", "/api/v1/admin/users/"],
      ["GET", "/health/"],
      ["GET", "/docs/json/"],
      ["GET", `${TASKS}//`],
      ["DELETE", `${TASKS}//`],
    ];
    for (const [method, path] of calls) {
      const response = await ctx.request(path, { method, token: admin.accessToken });
      await expectProblem(response, 404, "not_found");
    }
    await expectSignedIn(ctx, admin);
  });

  test("the docs page answers at /docs and /docs/ alike", async () => {
    const ctx = await createTestContext();
    const pages: string[] = [];
    // Alternating: each path's first answer must leave the page whole for the other.
    for (const path of ["/docs", "/docs/", "/docs", "/docs/"]) {
      const response = await ctx.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toStartWith("text/html");
      pages.push(await response.text());
    }
    expect(pages[0]).toContain("swagger-ui");
    expect(new Set(pages).size).toBe(1);
    const head = await ctx.request("/docs/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});

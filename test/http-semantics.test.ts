import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningServer, startServer } from "../src/cli/serve";
import { loadConfig } from "../src/platform/config";
import { createLogger } from "../src/platform/logging";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { setRole } from "./support/accounts";
import { createTestContext, TEST_SECRET, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { concretePath } from "./support/authz";
import {
  createTask,
  createUser,
  expectProblem,
  type TestUser,
  userValues,
} from "./support/factories";

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

/** The methods of every template that fits the path; a parameter takes any one segment. */
function methodsFitting(templates: Map<string, Set<string>>, path: string): Set<string> {
  const segments = path.split("/");
  const fits = (template: string) => {
    const parts = template.split("/");
    return (
      parts.length === segments.length &&
      parts.every((part, i) => part === segments[i] || (part.startsWith(":") && segments[i] !== ""))
    );
  };
  return new Set([...templates].filter(([template]) => fits(template)).flatMap(([, m]) => [...m]));
}

/** A superadmin: any route it cannot reach, nobody can. */
async function createSuperadmin(ctx: TestContext): Promise<TestUser> {
  const user = await createUser(ctx);
  await setRole(ctx, user, "superadmin");
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

describe("a method the path does not take is 405 with Allow", () => {
  test("the named examples", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const cases: [string, string, string][] = [
      ["PUT", "/api/v1/users/me", "GET, HEAD, PATCH, DELETE"],
      ["DELETE", "/health", "GET, HEAD"],
      ["PATCH", TASKS, "GET, HEAD, POST, DELETE"],
      ["POST", `${TASKS}/1`, "GET, HEAD, PUT, PATCH, DELETE"],
      ["GET", "/api/v1/auth/logout", "POST"],
      ["HEAD", "/api/v1/auth/logout-all", "POST"],
      ["TRACE", "/api/v1/admin/users/1", "GET, HEAD, PATCH, DELETE"],
      ["POST", "/docs/json", "GET, HEAD"],
      // Without CORS_ORIGINS nothing answers OPTIONS.
      ["OPTIONS", "/health", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await ctx.request(path, { method, token: user.accessToken });
      expect(`${method} ${path}: ${response.headers.get("allow")}`).toBe(
        `${method} ${path}: ${allow}`,
      );
      expect(response.headers.get("x-request-id")).toBeTruthy();
      if (method === "HEAD") {
        expect(response.status).toBe(405);
        continue;
      }
      const problem = await expectProblem(response, 405, "method_not_allowed");
      expect(problem.title).toBe("Method Not Allowed");
      expect(problem.instance).toBe(path);
      expect(problem.detail).toBe(`${method} is not supported here; this path takes ${allow}`);
    }
  });

  test("every route template, with every method it does not declare", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const failures: string[] = [];
    const templates = declaredMethods(ctx);
    for (const path of templates.keys()) {
      // `/notifications/read-all` is also `/notifications/:id`: a path takes the methods of every
      // template it fits.
      const methods = methodsFitting(templates, concretePath(path));
      const allow = [...methods];
      if (methods.has("GET")) allow.push("HEAD");
      for (const method of CALLABLE) {
        if (methods.has(method)) continue;
        const response = await ctx.request(concretePath(path), { method });
        const got = `${response.status} ${[...(response.headers.get("allow") ?? "").split(", ")].sort()}`;
        const expected = `405 ${allow.sort()}`;
        if (got !== expected) failures.push(`${method} ${path}: ${got}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test("it is about the route, not the resource: the same answer for any id and any caller", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const owner = await createUser(ctx);
    const stranger = await createUser(ctx);
    const task = await createTask(ctx, owner);
    const answers = new Set<string>();
    const calls: [string, string | undefined][] = [
      [`${TASKS}/${task.id}`, owner.accessToken],
      [`${TASKS}/${task.id}`, stranger.accessToken],
      [`${TASKS}/${task.id}`, undefined],
      [`${TASKS}/${task.id}`, "not-a-token"],
    ];
    for (const [path, token] of calls) {
      const response = await ctx.request(path, { method: "POST", body: {}, token });
      const { request_id: _, ...problem } = await expectProblem(
        response,
        405,
        "method_not_allowed",
      );
      answers.add(`${response.headers.get("allow")} ${JSON.stringify(problem)}`);
    }
    expect(answers.size).toBe(1);
    // An id that was never issued (or is not an id at all) reads the same, apart from the path.
    for (const id of ["999999", "abc"]) {
      const response = await ctx.request(`${TASKS}/${id}`, { method: "POST" });
      const problem = await expectProblem(response, 405, "method_not_allowed");
      expect(response.headers.get("allow")).toBe("GET, HEAD, PUT, PATCH, DELETE");
      expect(problem.detail).toContain("POST is not supported here");
    }
  });

  test("unknown paths stay 404 for every method, with no Allow", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (const path of [
      "/nope",
      "/api/v1/taskz",
      `${TASKS}/1/2`,
      "/api/v1",
      "/index.html",
      "/api/v1/users",
    ]) {
      for (const method of [...CALLABLE, "OPTIONS"]) {
        const response = await ctx.request(path, { method });
        await expectProblem(response, 404, "not_found");
        expect(response.headers.get("allow")).toBeNull();
      }
    }
  });

  test("with CORS on, Allow lists OPTIONS, preflights still work and OPTIONS does not invent paths", async () => {
    const ctx = await createTestContext({ CORS_ORIGINS: "https://app.example.com" });
    const response = await ctx.request("/health", { method: "DELETE" });
    await expectProblem(response, 405, "method_not_allowed");
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    const preflight = await ctx.request("/api/v1/users/me", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "PATCH",
      },
    });
    expect(preflight.status).toBe(204);
    await expectProblem(await ctx.request("/nowhere"), 404, "not_found");
    await expectProblem(await ctx.request("/nope", { method: "POST" }), 404, "not_found");
  });

  test("metrics label 404s and 405s as unmatched, never by the raw path; the log has the status", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (let i = 0; i < 5; i += 1) {
      await ctx.request(`/random/${crypto.randomUUID()}`, { method: "POST" });
      await ctx.request(`${TASKS}/${1000 + i}`, { method: "POST" });
      await ctx.request(`${TASKS}/`, { method: "DELETE" });
    }
    await Bun.sleep(5);
    const text = await (await ctx.request("/metrics")).text();
    expect(text).toContain('http_requests_total{method="POST",route="unmatched",status="404"} 5');
    expect(text).toContain('http_requests_total{method="POST",route="unmatched",status="405"} 5');
    expect(text).toContain('http_requests_total{method="DELETE",route="unmatched",status="404"} 5');
    expect(text).not.toContain("/random/");
    expect(text).not.toContain(`${TASKS}/100`);
    const lines = ctx.logs.filter((line) => line.msg === "request" && line.status === 405);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ method: "POST", path: `${TASKS}/1000` });
  });
});

describe("every route validates its body or refuses one", () => {
  test("POST /auth/logout refuses a body that is not an object, and the session lives on", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    for (const body of ["123", '"x"', "true", "null", "[]", "[1]", '["refresh_token"]']) {
      const response = await ctx.request("/api/v1/auth/logout", {
        method: "POST",
        body,
        token: user.accessToken,
      });
      const problem = await expectProblem(response, 422, "validation_error");
      expect(problem.errors).toEqual([{ path: "/", message: "Expected object" }]);
      await expectSignedIn(ctx, user);
    }
  });

  test("POST /auth/logout still takes no body, an empty object or a refresh token", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (const body of [undefined, {}, "{}"]) {
      const user = await createUser(ctx);
      const response = await ctx.request("/api/v1/auth/logout", {
        method: "POST",
        body,
        token: user.accessToken,
      });
      expect(response.status).toBe(204);
      expect((await ctx.request("/api/v1/users/me", { token: user.accessToken })).status).toBe(401);
    }
    const user = await createUser(ctx);
    const response = await ctx.request("/api/v1/auth/logout", {
      method: "POST",
      body: { refresh_token: user.refreshToken },
      token: user.accessToken,
    });
    expect(response.status).toBe(204);
    const refresh = await ctx.request("/api/v1/auth/refresh", {
      body: { refresh_token: user.refreshToken },
    });
    expect(refresh.status).toBe(401);
  });

  test("POST /auth/logout-all refuses any body, even an empty object; without one it works", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    for (const body of ["{}", '{"all":true}', "123", "null", "[]"]) {
      const response = await ctx.request("/api/v1/auth/logout-all", {
        method: "POST",
        body,
        token: user.accessToken,
      });
      const problem = await expectProblem(response, 422, "validation_error");
      expect(problem.errors).toEqual([{ path: "/", message: "Send no body" }]);
      await expectSignedIn(ctx, user);
    }
    const response = await ctx.request("/api/v1/auth/logout-all", {
      method: "POST",
      token: user.accessToken,
    });
    expect(response.status).toBe(204);
  });

  test("every route without a body schema refuses a body, and does nothing", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createSuperadmin(ctx);
    const task = await createTask(ctx, admin);
    const bodyless = ctx.app.routes.filter(
      (route) => route.method !== "GET" && CALLABLE.has(route.method) && !route.hooks.body,
    );
    expect(bodyless.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/auth/logout-all",
        "DELETE /api/v1/tasks",
        "DELETE /api/v1/tasks/:id",
      ]),
    );
    for (const route of bodyless) {
      const path = concretePath(route.path).replace("/7", `/${task.id}`);
      const response = await ctx.request(path, {
        method: route.method,
        body: {},
        token: admin.accessToken,
      });
      const problem = await expectProblem(response, 422, "validation_error");
      expect(problem.detail).toBe("This operation takes no request body");
      expect(problem.errors).toEqual([{ path: "/", message: "Send no body" }]);
    }
    expect(await taskCount(ctx, admin)).toBe(1);
    await expectSignedIn(ctx, admin);
  });

  test("an anonymous caller still hears 401 first", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (const [method, path, body] of [
      ["POST", "/api/v1/auth/logout-all", "{}"],
      ["POST", "/api/v1/auth/logout", "123"],
      ["DELETE", TASKS, "{}"],
    ] as const) {
      const response = await ctx.request(path, { method, body });
      await expectProblem(response, 401, "unauthorized_error");
    }
  });
});

describe("on the wire (Bun's own router answers static paths first)", () => {
  let server: RunningServer;
  let token = "";
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });
  const json = (method: string, body: string): RequestInit => ({
    method,
    body,
    headers: { "content-type": "application/json" },
  });

  beforeAll(async () => {
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: ":memory:",
      JWT_SECRET: TEST_SECRET,
      ...UNTHROTTLED_ENV,
    });
    server = await startServer(config, {
      log: createLogger("silent"),
      passwordCost: TEST_PASSWORD_COST,
    });
    const values = userValues();
    await fetch(`${server.url}/api/v1/auth/signup`, json("POST", JSON.stringify(values)));
    const login = await fetch(
      `${server.url}/api/v1/auth/login`,
      json("POST", JSON.stringify({ email: values.email, password: values.password })),
    );
    token = ((await login.json()) as { access_token: string }).access_token;
    for (const title of ["one", "two"]) {
      expect((await call(TASKS, json("POST", JSON.stringify({ title })))).status).toBe(201);
    }
  });
  afterAll(() => server.stop("test"));

  test("a trailing slash is 404 and DELETE /api/v1/tasks/ deletes nothing", async () => {
    await expectProblem(await call(`${TASKS}/`, { method: "DELETE" }), 404, "not_found");
    await expectProblem(await call("/health/"), 404, "not_found");
    await expectProblem(await call("/api/v1/users/me/"), 404, "not_found");
    const list = await call(TASKS);
    expect(list.headers.get("x-total-count")).toBe("2");
    for (const path of ["/docs", "/docs/", "/docs"]) {
      const page = await call(path);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("swagger-ui");
    }
  });

  test("405 with Allow, and HEAD gets the headers without a body", async () => {
    const put = await call("/api/v1/users/me", json("PUT", "{}"));
    await expectProblem(put, 405, "method_not_allowed");
    expect(put.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE");
    const head = await call("/api/v1/auth/logout", { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("POST");
    expect(await head.text()).toBe("");
    const remove = await call("/health", { method: "DELETE" });
    expect(remove.headers.get("allow")).toBe("GET, HEAD");
    await expectProblem(remove, 405, "method_not_allowed");
  });

  test("a body on a body-less route is 422; an empty one (Content-Length: 0) is fine", async () => {
    await expectProblem(await call(TASKS, json("DELETE", "{}")), 422, "validation_error");
    expect((await call(TASKS)).headers.get("x-total-count")).toBe("2");
    await expectProblem(
      await call("/api/v1/auth/logout", json("POST", "null")),
      422,
      "validation_error",
    );
    const empty = await call("/api/v1/auth/logout-all", json("POST", ""));
    expect(empty.status).toBe(204);
  });
});

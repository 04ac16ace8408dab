import { describe, expect, test } from "bun:test";
import { DrizzleQueryError } from "drizzle-orm";
import { t } from "elysia";
import packageJson from "../package.json";
import { createLogger } from "../src/platform/logging";
import { createTestContext, type TestContext } from "./support/app";
import { createUser, expectProblem } from "./support/factories";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROBLEM_KEYS = ["type", "title", "status", "detail", "instance", "code", "request_id"];

/** The access log is written after the response is sent; let that turn of the loop finish. */
const settle = () => Bun.sleep(2);

function accessLines(ctx: TestContext) {
  return ctx.logs.filter((line) => line.msg === "request");
}

/** Asserts the full RFC 9457 shape and that the body names the response's request id. */
async function expectFullProblem(response: Response, status: number, code: string) {
  const requestId = response.headers.get("x-request-id");
  const body = await expectProblem(response, status, code);
  for (const key of PROBLEM_KEYS) expect(body).toHaveProperty(key);
  expect(body.type).toBe("about:blank");
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  expect(body.request_id).toBe(requestId);
  return body;
}

describe("X-Request-Id", () => {
  test("is generated for successes, errors and unknown routes", async () => {
    const ctx = await createTestContext();
    const responses = [
      await ctx.request("/health"),
      await ctx.request("/nowhere"),
      await ctx.request("/api/v1/users/me"),
      await ctx.request("/api/v1/auth/signup", { body: "{oops" }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 404, 401, 400]);
    const ids = responses.map((r) => r.headers.get("x-request-id") ?? "");
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("a valid incoming id is echoed in the header, the problem body and the log", async () => {
    const ctx = await createTestContext();
    const incoming = "trace-42.abc:DEF_9";
    const response = await ctx.request("/nowhere", { headers: { "x-request-id": incoming } });
    expect(response.headers.get("x-request-id")).toBe(incoming);
    const body = await expectFullProblem(response, 404, "not_found");
    expect(body.request_id).toBe(incoming);
    await settle();
    expect(accessLines(ctx).map((line) => line.request_id)).toEqual([incoming]);
  });

  test("an id of exactly 128 safe characters is kept", async () => {
    const ctx = await createTestContext();
    const incoming = "a".repeat(128);
    const response = await ctx.request("/health", { headers: { "x-request-id": incoming } });
    expect(response.headers.get("x-request-id")).toBe(incoming);
  });

  test.each([
    ["too long", "a".repeat(129)],
    ["spaces", "has spaces in it"],
    ["markup", "<script>"],
    ["quotes", '"x"'],
    ["control character", "abc\u0007injected"],
  ])("an invalid incoming id (%s) is replaced", async (_name, incoming) => {
    const ctx = await createTestContext();
    const response = await ctx.request("/health", { headers: { "x-request-id": incoming } });
    expect(response.status).toBe(200);
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).not.toBe(incoming);
    expect(id).toMatch(UUID);
    await settle();
    expect(JSON.stringify(ctx.logs)).not.toContain(JSON.stringify(incoming).slice(1, -1));
  });
});

describe("security headers", () => {
  test("a JSON route, an error and the spec carry the strict policy", async () => {
    const ctx = await createTestContext();
    for (const path of ["/health", "/nowhere", "/api/v1/users/me", "/docs/json"]) {
      const response = await ctx.request(path);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("script-src");
    }
  });

  test("the docs page gets a same-origin script policy, never a remote one", async () => {
    const ctx = await createTestContext();
    const response = await ctx.request("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:|\*/);
  });
});

describe("error responses", () => {
  test("unknown routes are 404 not_found problems for any method", async () => {
    const ctx = await createTestContext();
    const get = await expectFullProblem(await ctx.request("/nowhere?x=1"), 404, "not_found");
    expect(get.instance).toBe("/nowhere");
    expect(get.title).toBe("Not Found");
    const post = await expectFullProblem(
      await ctx.request("/api/v1/nothing", { body: { a: 1 } }),
      404,
      "not_found",
    );
    expect(post.instance).toBe("/api/v1/nothing");
  });

  test("malformed JSON is 400 bad_request", async () => {
    const ctx = await createTestContext();
    const body = await expectFullProblem(
      await ctx.request("/api/v1/auth/signup", { body: '{"username": "x",' }),
      400,
      "bad_request",
    );
    expect(body.title).toBe("Bad Request");
    expect(body.instance).toBe("/api/v1/auth/signup");
  });

  test("a parse failure in Elysia's own parser is 400 too (a body the guard leaves alone)", async () => {
    const ctx = await createTestContext();
    // The body guard reads POST/PUT/PATCH/DELETE bodies; a route on another method parses its own.
    ctx.app.options("/echo", ({ body }) => body, { body: t.Object({ a: t.Number() }) });
    const response = await ctx.request("/echo", { method: "OPTIONS", body: '{"a":' });
    const problem = await expectFullProblem(response, 400, "bad_request");
    expect(problem.detail).toBe("The request body is not valid JSON");
  });

  test("malformed JSON is 400 even where the body is optional, and changes nothing", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const logout = (body?: string) =>
      ctx.request("/api/v1/auth/logout", { method: "POST", token: user.accessToken, body });
    const problem = await expectFullProblem(await logout('{"refresh_token": '), 400, "bad_request");
    expect(problem.detail).toBe("The request body is not valid JSON");
    // The session was not ended by the broken request…
    const me = await ctx.request("/api/v1/users/me", { token: user.accessToken });
    expect(me.status).toBe(200);
    // …and a logout with no body at all still works.
    expect((await logout()).status).toBe(204);
  });

  test("a body over BODY_LIMIT is 413 payload_too_large, declared or not", async () => {
    const ctx = await createTestContext({ BODY_LIMIT: "2kb" });
    const big = JSON.stringify({ username: "a".repeat(3000) });
    const declared = await expectFullProblem(
      await ctx.request("/api/v1/auth/signup", { body: big }),
      413,
      "payload_too_large",
    );
    expect(declared.detail).toContain("2048");
    // A chunked body carries no Content-Length: the app measures it.
    const chunked = new Request("http://localhost/api/v1/auth/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    expect(chunked.headers.get("content-length")).toBeNull();
    await expectFullProblem(await ctx.app.handle(chunked), 413, "payload_too_large");
    await settle();
    expect(accessLines(ctx).map((line) => line.status)).toEqual([413, 413]);
  });

  test("a body just under BODY_LIMIT is accepted for validation", async () => {
    const ctx = await createTestContext({ BODY_LIMIT: "2kb" });
    const body = JSON.stringify({ username: "a".repeat(1900) });
    const response = await ctx.request("/api/v1/auth/signup", { body });
    await expectFullProblem(response, 422, "validation_error");
  });

  test("a bad Content-Length is 400", async () => {
    const ctx = await createTestContext();
    const response = await ctx.request("/api/v1/auth/signup", {
      body: "{}",
      headers: { "content-length": "12abc" },
    });
    await expectFullProblem(response, 400, "bad_request");
  });

  test("a non-JSON body is 415 unsupported_media_type", async () => {
    const ctx = await createTestContext();
    const text = await ctx.request("/api/v1/auth/signup", {
      body: "username=x",
      headers: { "content-type": "text/plain" },
    });
    expect((await expectFullProblem(text, 415, "unsupported_media_type")).title).toBe(
      "Unsupported Media Type",
    );
    // Forms are for the OAuth2 token endpoint only.
    const form = await ctx.request("/api/v1/auth/login", {
      body: new URLSearchParams({ email: "a@b.example", password: "x" }),
    });
    await expectFullProblem(form, 415, "unsupported_media_type");
    // Without a declared length the media type is still checked.
    const chunked = new Request("http://localhost/api/v1/auth/signup", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    await expectFullProblem(await ctx.app.handle(chunked), 415, "unsupported_media_type");
  });

  test("JSON with a charset and the token endpoint's form are accepted", async () => {
    const ctx = await createTestContext();
    const json = await ctx.request("/api/v1/auth/login", {
      body: JSON.stringify({ email: "nobody@example.com", password: "whatever-1234" }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    await expectFullProblem(json, 401, "unauthorized_error");
    const form = await ctx.request("/api/v1/auth/token", {
      body: new URLSearchParams({ grant_type: "password", username: "nobody", password: "x" }),
    });
    // Parsed as a form: the unknown user is a refused grant, not an unsupported media type.
    const refused = await expectFullProblem(form, 400, "bad_request");
    expect(refused.error).toBe("invalid_grant");
  });

  test("invalid input is 422 validation_error with errors[]", async () => {
    const ctx = await createTestContext();
    const body = await expectFullProblem(
      await ctx.request("/api/v1/auth/signup", {
        body: { username: "x", email: "not-an-email", password: "pw", role: "admin" },
      }),
      422,
      "validation_error",
    );
    expect(body.title).toBe("Unprocessable Content");
    const paths = (body.errors ?? []).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(["/username", "/email", "/password", "/role"]));
    for (const error of body.errors ?? []) {
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  test("an unexpected exception is a bare 500, logged with its request id", async () => {
    const ctx = await createTestContext();
    ctx.app.get("/boom", () => {
      throw new Error("SELECT password_hash FROM users WHERE secret = 'x'");
    });
    const response = await ctx.request("/boom", { headers: { "x-request-id": "boom-1" } });
    const text = await response.clone().text();
    const body = await expectFullProblem(response, 500, "internal_server_error");
    expect(body.title).toBe("Internal Server Error");
    for (const leak of ["SELECT", "password_hash", "secret", "Error:", "at ", ".ts", "stack"]) {
      expect(text).not.toContain(leak);
    }
    await settle();
    const logged = ctx.logs.find((line) => line.level === "error");
    expect(logged?.request_id).toBe("boom-1");
    expect(String(logged?.error)).toContain("SELECT password_hash");
    expect(accessLines(ctx)).toHaveLength(1);
    expect(accessLines(ctx)[0]?.status).toBe(500);
  });

  test("a response that breaks its own schema is our bug: 500, not 422", async () => {
    const ctx = await createTestContext();
    // The handler is typed loosely on purpose: the schema must catch what TypeScript would.
    const broken = (): { count: number } => JSON.parse('{"count":"not a number"}');
    ctx.app.get("/broken", broken, {
      response: { 200: t.Object({ count: t.Integer() }) },
    });
    await expectFullProblem(await ctx.request("/broken"), 500, "internal_server_error");
  });

  test("a client status another plugin throws keeps its status and stable code", async () => {
    const ctx = await createTestContext();
    const thrower = (status: number) => () => {
      throw Object.assign(new Error("plugin internals"), { status });
    };
    ctx.app
      .get("/gone", thrower(410))
      .get("/teapot", thrower(418))
      .get("/bad-gateway", thrower(502));
    const gone = await expectFullProblem(await ctx.request("/gone"), 410, "gone");
    expect(gone).toMatchObject({ title: "Gone", detail: "Gone" });
    // A status the API has no code for, and any server-side one, is our problem: a bare 500.
    for (const path of ["/teapot", "/bad-gateway"]) {
      const response = await ctx.request(path);
      expect(await response.clone().text()).not.toContain("internals");
      await expectFullProblem(response, 500, "internal_server_error");
    }
  });

  test("a thrown non-Error value is a 500 too", async () => {
    const ctx = await createTestContext();
    ctx.app.get("/boom", () => {
      throw "plain string with internals";
    });
    const response = await ctx.request("/boom");
    const text = await response.clone().text();
    await expectFullProblem(response, 500, "internal_server_error");
    expect(text).not.toContain("internals");
  });

  test("a database failure behind an authenticated route leaks nothing", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await ctx.deps.sql.close();
    const response = await ctx.request("/api/v1/users/me", { token: user.accessToken });
    const requestId = response.headers.get("x-request-id");
    const text = await response.clone().text();
    await expectFullProblem(response, 500, "internal_server_error");
    expect(text.toLowerCase()).not.toMatch(/closed|database|sqlite|rangeerror|select/);
    await settle();
    const logged = ctx.logs.filter((line) => line.level === "error");
    expect(logged).toHaveLength(1);
    expect(logged[0]?.request_id).toBe(requestId);
    expect(String(logged[0]?.stack)).toContain("closed");
  });
});

test("a failing SQL query is logged by its SQL text and driver error, never its parameters", async () => {
  const ctx = await createTestContext();
  ctx.app.get("/dup", () => {
    // drizzle's async paths wrap driver errors with the bound parameters in the message.
    throw new DrizzleQueryError(
      'insert into "users" ("email", "password_hash") values (?, ?)',
      ["ada@example.com", "SECRET-HASH-VALUE"],
      new Error("UNIQUE constraint failed: users.email"),
    );
  });
  const response = await ctx.request("/dup");
  await expectFullProblem(response, 500, "internal_server_error");
  await settle();
  const logged = ctx.logs.filter((line) => line.level === "error");
  expect(logged).toHaveLength(1);
  const text = JSON.stringify(logged);
  expect(text).not.toContain("SECRET-HASH-VALUE");
  expect(text).not.toContain("ada@example.com");
  expect(String(logged[0]?.query)).toContain('insert into "users"');
  expect(String(logged[0]?.error)).toContain("UNIQUE constraint failed");
});

describe("CORS", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });

  test("an allowed origin gets a preflight answer and CORS headers", async () => {
    const ctx = await createTestContext({ CORS_ORIGINS: "https://a.example" });
    const response = await ctx.request("/api/v1/tasks", preflight("https://a.example"));
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://a.example");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "authorization",
    );
    const simple = await ctx.request("/health", { headers: { origin: "https://a.example" } });
    expect(simple.headers.get("access-control-allow-origin")).toBe("https://a.example");
    expect(simple.headers.get("access-control-expose-headers")?.toLowerCase()).toContain(
      "x-request-id",
    );
  });

  test("413 and 415 answers carry CORS and rate-limit headers, so browsers can read them", async () => {
    const ctx = await createTestContext({ CORS_ORIGINS: "https://a.example", BODY_LIMIT: "2kb" });
    const headers = { origin: "https://a.example" };
    const tooBig = await ctx.request("/api/v1/auth/signup", {
      body: JSON.stringify({ padding: "x".repeat(3000) }),
      headers,
    });
    const wrongType = await ctx.request("/api/v1/auth/signup", {
      body: "plain words",
      headers: { ...headers, "content-type": "text/plain" },
    });
    for (const [response, status] of [
      [tooBig, 413],
      [wrongType, 415],
    ] as const) {
      expect(response.status).toBe(status);
      expect(response.headers.get("access-control-allow-origin")).toBe("https://a.example");
      expect(response.headers.get("ratelimit-limit")).not.toBeNull();
      expect(response.headers.get("x-request-id")).not.toBeNull();
    }
  });

  test("another origin gets no Access-Control-Allow-Origin", async () => {
    const ctx = await createTestContext({ CORS_ORIGINS: "https://a.example" });
    const response = await ctx.request("/api/v1/tasks", preflight("https://evil.example"));
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await ctx.request("/health", { headers: { origin: "https://evil.example" } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("without CORS_ORIGINS no CORS header is ever sent", async () => {
    const ctx = await createTestContext();
    const responses = [
      await ctx.request("/api/v1/tasks", preflight("https://a.example")),
      await ctx.request("/health", { headers: { origin: "https://a.example" } }),
      await ctx.request("/nowhere", { headers: { origin: "https://a.example" } }),
    ];
    for (const response of responses) {
      const names = [...response.headers.keys()].filter((name) =>
        name.startsWith("access-control-"),
      );
      expect(names).toEqual([]);
    }
  });
});

describe("access log", () => {
  test("one JSON line per request with the request's facts", async () => {
    const ctx = await createTestContext();
    const responses = [
      await ctx.request("/health"),
      await ctx.request("/nowhere?token=abc"),
      await ctx.request("/api/v1/auth/signup", { body: "{bad" }),
      await ctx.request("/api/v1/users/me"),
    ];
    await settle();
    const lines = accessLines(ctx);
    expect(lines).toHaveLength(responses.length);
    responses.forEach((response, index) => {
      const line = lines[index] ?? {};
      expect(line.request_id).toBe(response.headers.get("x-request-id"));
      expect(line.status).toBe(response.status);
      expect(line.level).toBe("info");
      expect(typeof line.duration_ms).toBe("number");
      expect(line.duration_ms as number).toBeGreaterThanOrEqual(0);
      expect(line.user_id).toBeNull();
      expect(typeof line.time).toBe("string");
    });
    expect(lines.map((line) => `${line.method} ${line.path}`)).toEqual([
      "GET /health",
      "GET /nowhere",
      "POST /api/v1/auth/signup",
      "GET /api/v1/users/me",
    ]);
  });

  test("names the signed-in user and never a password or token", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const me = await ctx.request("/api/v1/users/me?access_token=zzz", {
      token: user.accessToken,
    });
    expect(me.status).toBe(200);
    const refreshed = await ctx.request("/api/v1/auth/refresh", {
      body: { refresh_token: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string; refresh_token: string };
    const failed = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: `${user.password}-wrong` },
    });
    expect(failed.status).toBe(401);
    await settle();

    const line = accessLines(ctx).find(
      (entry) => entry.request_id === me.headers.get("x-request-id"),
    );
    expect(line?.user_id).toBe(user.id);
    expect(line?.path).toBe("/api/v1/users/me");

    const everything = JSON.stringify(ctx.logs);
    const secrets = [
      user.password,
      user.accessToken,
      user.refreshToken,
      pair.access_token,
      pair.refresh_token,
      "zzz",
    ];
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain("bearer");
    expect(everything.toLowerCase()).not.toContain("authorization");
  });
});

describe("health and readiness", () => {
  test("/health answers ok with the package version", async () => {
    const ctx = await createTestContext();
    const response = await ctx.request("/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.json()).toEqual({ status: "ok", version: packageJson.version });
  });

  test("/ready is 200 while the database answers and 503 once it does not", async () => {
    const ctx = await createTestContext();
    const ready = await ctx.request("/ready");
    expect(ready.status).toBe(200);
    expect(ready.headers.get("content-type")).toStartWith("application/json");
    expect(await ready.json()).toEqual({ status: "ready" });

    await ctx.deps.sql.close();
    const down = await ctx.request("/ready");
    const body = await expectFullProblem(down, 503, "service_unavailable");
    expect(body.title).toBe("Service Unavailable");
    expect(body.instance).toBe("/ready");
    // Liveness does not depend on the database.
    expect((await ctx.request("/health")).status).toBe(200);
    await settle();
    // An expected outage is a warning, not an unhandled error with a stack trace.
    expect(ctx.logs.filter((line) => line.level === "error")).toEqual([]);
    expect(ctx.logs.some((line) => line.level === "warn" && line.status === 503)).toBe(true);
  });
});

describe("logger", () => {
  test("writes one JSON object per line at or above its level, with child fields", () => {
    const lines: string[] = [];
    const log = createLogger("warn", (line) => lines.push(line));
    log.debug("hidden");
    log.info("hidden");
    log.warn("shown", { a: 1 });
    log.child({ request_id: "r-1" }).error("child", { b: 2 });
    expect(lines).toHaveLength(2);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed[0]).toMatchObject({ level: "warn", msg: "shown", a: 1 });
    expect(parsed[1]).toMatchObject({ level: "error", msg: "child", request_id: "r-1", b: 2 });
    for (const line of lines) expect(line).not.toContain("\n");
  });

  test("never throws on awkward values and keeps an Error's message", () => {
    const lines: string[] = [];
    const log = createLogger("info", (line) => lines.push(line));
    log.info("odd", { big: 10n, error: new TypeError("bad thing") });
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      big: "10",
      error: "TypeError: bad thing",
    });
  });

  test("silent writes nothing", () => {
    const lines: string[] = [];
    createLogger("silent", (line) => lines.push(line)).error("nope");
    expect(lines).toEqual([]);
  });
});

import { beforeAll, describe, expect, test } from "bun:test";
import { createUserWithRole } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser } from "./support/factories";

interface HeaderDoc {
  description?: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}
interface ResponseDoc {
  description?: string;
  headers?: Record<string, HeaderDoc>;
  content?: Record<string, { schema?: Record<string, unknown> }>;
}
interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  responses?: Record<string, ResponseDoc>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, Record<string, unknown>>;
    schemas: Record<string, { required?: string[] }>;
  };
}

const HTTP_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

let ctx: TestContext;
let spec: OpenApiDocument;

beforeAll(async () => {
  ctx = await createTestContext();
  const response = await ctx.request("/docs/json");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  spec = (await response.json()) as OpenApiDocument;
});

/** The options the docs page hands to Swagger UI. */
function swaggerOptions(html: string): Record<string, unknown> {
  const match = /SwaggerUIBundle\((\{.*?\})\)/s.exec(html);
  if (!match?.[1]) throw new Error("the docs page does not start Swagger UI");
  return JSON.parse(match[1]) as Record<string, unknown>;
}

/** The app's own /api/v1 routes, as "METHOD /openapi/{path}". */
function apiRoutes(): { method: string; path: string; key: string }[] {
  return ctx.app.routes
    .filter((route) => route.path.startsWith("/api/v1/") && HTTP_METHODS.has(route.method))
    .map((route) => {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      return { method: route.method, path, key: `${route.method} ${path}` };
    });
}

describe("GET /docs", () => {
  test("serves an HTML page that loads only same-origin assets", async () => {
    const response = await ctx.request("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/html");
    const html = await response.text();
    expect(html).toContain('id="swagger-ui"');
    const urls = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/g)].map((m) => m[1]);
    expect(urls).toEqual(
      expect.arrayContaining(["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]),
    );
    for (const url of urls) expect(url).not.toMatch(/^(?:[a-z]+:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\/[^\s"'<>]*\.(?:js|css)\b/i);
    expect(html).not.toMatch(/unpkg|jsdelivr|cdnjs/i);
  });

  test("points Swagger UI at /docs/json, from /docs and from /docs/ alike", async () => {
    for (const page of ["/docs", "/docs/"]) {
      const response = await ctx.request(page);
      if (response.status >= 300 && response.status < 400) {
        // A redirect to the canonical page is as good as the page itself.
        expect(new URL(response.headers.get("location") ?? "", "http://localhost").pathname).toBe(
          "/docs",
        );
        continue;
      }
      expect(response.status).toBe(200);
      const { url } = swaggerOptions(await response.text());
      expect(new URL(String(url), `http://localhost${page}`).pathname).toBe("/docs/json");
    }
    expect((await ctx.request("/docs/json")).status).toBe(200);
  });

  test("keeps neither the password nor the tokens: no persisted authorization", async () => {
    const options = swaggerOptions(await (await ctx.request("/docs")).text());
    expect(options.persistAuthorization).toBe(false);
    // Swagger UI's only write to browser storage is the authorization it persists, and only
    // when persistAuthorization is on: with it off, nothing is stored (checked in the bundle
    // this server sends, so that an upgrade that stores more is noticed).
    const bundle = await (await ctx.request("/docs/assets/swagger-ui-bundle.js")).text();
    const writes = bundle.match(/(?:localStorage|sessionStorage)\.setItem\(/g) ?? [];
    expect(writes).toEqual(["localStorage.setItem("]);
    expect(bundle).toMatch(
      /if\(!\w+\(\)\.persistAuthorization\)return;[^}]*localStorage\.setItem\("authorized"/,
    );
  });

  test.each([
    ["/docs/assets/swagger-ui-bundle.js", "text/javascript", 500_000],
    ["/docs/assets/swagger-ui.css", "text/css", 50_000],
  ])("serves %s from the binary", async (path, type, minBytes) => {
    const response = await ctx.request(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith(type);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await response.text();
    expect(body.length).toBeGreaterThan(minBytes);
    if (type === "text/javascript") expect(body).toContain("SwaggerUIBundle");
  });
});

describe("GET /docs/json", () => {
  test("is an OpenAPI 3 document about this API", () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.info.title).toBe("Kanbun API");
    expect(spec.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("documents every /api/v1 route of the app and nothing that is not one", () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(10);
    const documented = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith("/api/v1/"))
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );
    expect(documented.sort()).toEqual(routes.map((route) => route.key).sort());
  });

  test("every operation has a summary, a tag and a response", () => {
    for (const { method, path } of apiRoutes()) {
      const operation = spec.paths[path]?.[method.toLowerCase()];
      expect({ route: `${method} ${path}`, summary: typeof operation?.summary }).toEqual({
        route: `${method} ${path}`,
        summary: "string",
      });
      expect(operation?.tags?.length ?? 0).toBeGreaterThan(0);
      expect(Object.keys(operation?.responses ?? {}).length).toBeGreaterThan(0);
    }
  });

  // Redocly's operation-2xx-response rule is off for the sake of the WebSocket upgrade alone.
  test("every operation documents a 2xx answer, but the WebSocket, which documents its 101", () => {
    for (const { method, path } of apiRoutes()) {
      const key = `${method} ${path}`;
      const statuses = Object.keys(spec.paths[path]?.[method.toLowerCase()]?.responses ?? {});
      const success = key === "GET /api/v1/ws" ? /^101$/ : /^2\d\d$/;
      expect({ key, documented: statuses.some((status) => success.test(status)) }).toEqual({
        key,
        documented: true,
      });
    }
  });

  test("the docs machinery itself is not documented", () => {
    const paths = Object.keys(spec.paths);
    expect(paths.filter((path) => path.startsWith("/docs"))).toEqual([]);
    expect(paths).toContain("/health");
  });

  test("declares bearer and OAuth2 password security schemes", () => {
    const schemes = spec.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(schemes.oauth2).toMatchObject({
      type: "oauth2",
      flows: { password: { tokenUrl: "/api/v1/auth/token" } },
    });
  });

  test("exactly the operations that refuse anonymous callers carry a security requirement", async () => {
    const protectedRoutes: string[] = [];
    const publicRoutes: string[] = [];
    for (const { method, path, key } of apiRoutes()) {
      const url = path.replace(/\{\w+\}/g, "1");
      const response = await ctx.request(url, { method });
      const operation = spec.paths[path]?.[method.toLowerCase()];
      const schemes = (operation?.security ?? []).flatMap((requirement) =>
        Object.keys(requirement),
      );
      if (response.status === 401) {
        expect(response.headers.get("www-authenticate")).toBe("Bearer");
        protectedRoutes.push(key);
        expect({ key, schemes }).toEqual({ key, schemes: ["bearer", "oauth2"] });
      } else {
        publicRoutes.push(key);
        expect({ key, schemes }).toEqual({ key, schemes: [] });
      }
    }
    expect(protectedRoutes).toContain("GET /api/v1/users/me");
    expect(protectedRoutes).toContain("POST /api/v1/tasks");
    expect(publicRoutes).toContain("POST /api/v1/auth/login");
    expect(publicRoutes).toContain("POST /api/v1/auth/token");
  });
});

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const PROBES = ["/health", "/ready", "/metrics"];
const RATE_LIMIT_HEADERS = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];
const TOKEN = "POST /api/v1/auth/token";
const UNSUBSCRIBE = "POST /api/v1/notifications/unsubscribe";
const FORM_AND_JSON = ["application/x-www-form-urlencoded", "application/json"];
const problemContent = (name = "Problem") => ({
  "application/problem+json": { schema: { $ref: `#/components/schemas/${name}` } },
});

/** Every documented operation, /api/v1 or not. */
function documentedOperations() {
  return Object.entries(spec.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      key: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );
}

function documented(key: string): Operation {
  const [method = "", path = ""] = key.split(" ");
  const operation = spec.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${key} is not documented`);
  return operation;
}

/** A schema, or the component its `$ref` names. */
function resolved(schema: unknown): unknown {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? spec.components.schemas[ref.replace("#/components/schemas/", "")] : schema;
}

const statusesOf = (operation: Operation) => Object.keys(operation.responses ?? {});
const headersOf = (response: ResponseDoc | undefined) => Object.keys(response?.headers ?? {});
const concrete = (path: string) => path.replace(/\{\w+\}/g, "1");
const codeOf = async (response: Response) => ((await response.json()) as { code: string }).code;

describe("request bodies in /docs/json", () => {
  test("JSON is the only body type, except forms too on the OAuth2 token endpoint and one-click unsubscribe", () => {
    const withBodies = documentedOperations().filter(({ operation }) => operation.requestBody);
    expect(withBodies.length).toBeGreaterThan(10);
    expect(withBodies.map(({ key }) => key)).toContain(TOKEN);
    for (const { key, operation } of withBodies) {
      const content = operation.requestBody?.content ?? {};
      const types =
        key === TOKEN
          ? FORM_AND_JSON
          : key === UNSUBSCRIBE
            ? [...FORM_AND_JSON, "multipart/form-data"]
            : ["application/json"];
      expect(Object.keys(content), key).toEqual(types);
      for (const media of Object.values(content))
        expect(resolved(media.schema), key).toMatchObject({ type: "object" });
    }
  });

  test("only the logout and one-click unsubscribe bodies are optional", () => {
    const optional = documentedOperations()
      .filter(({ operation }) => operation.requestBody && !operation.requestBody.required)
      .map(({ key }) => key);
    expect(optional.sort()).toEqual(["POST /api/v1/auth/logout", UNSUBSCRIBE]);
  });

  test("the server answers 415 to exactly the body types the document leaves out", async () => {
    const open = await createTestContext(UNTHROTTLED_ENV);
    for (const { method, path, key, operation } of documentedOperations()) {
      if (!operation.requestBody) continue;
      const types = Object.keys(operation.requestBody.content);
      const send = (type: string, body: string) =>
        open.request(concrete(path), { method, body, headers: { "content-type": type } });
      const bodies: [string, string][] = [
        ["application/json", "{}"],
        ["application/x-www-form-urlencoded", "a=1"],
        [
          "multipart/form-data; boundary=x",
          '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
        ],
      ];
      for (const [type, body] of bodies) {
        const response = await send(type, body);
        const mediaType = type.split(";")[0] ?? type;
        expect(response.status === 415, `${key} ${mediaType}`).toBe(!types.includes(mediaType));
        if (response.status === 415) expect(await codeOf(response)).toBe("unsupported_media_type");
      }
    }
  });

  test("malformed JSON is a documented 400 bad_request wherever a body is required", async () => {
    const open = await createTestContext(UNTHROTTLED_ENV);
    let checked = 0;
    for (const { method, path, key, operation } of documentedOperations()) {
      if (!operation.requestBody?.required) continue;
      checked += 1;
      expect(statusesOf(operation), key).toContain("400");
      const response = await open.request(concrete(path), { method, body: '{"title":' });
      expect(response.status, key).toBe(400);
      expect(response.headers.get("content-type")).toStartWith("application/problem+json");
      expect(await codeOf(response)).toBe("bad_request");
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe("problem responses in /docs/json", () => {
  test("every operation documents 500, and every 4xx/5xx body as application/problem+json", () => {
    for (const { key, operation } of documentedOperations()) {
      expect(statusesOf(operation), key).toContain("500");
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400) continue;
        // The token endpoint's 400 also carries RFC 6749's error fields.
        const name = key === TOKEN && status === "400" ? "OAuthProblem" : "Problem";
        expect(response.content, `${key} ${status}`).toEqual(problemContent(name));
        expect(response.description, `${key} ${status}`).not.toBe("RFC 9457 problem details");
      }
    }
    const required = ["type", "title", "status", "detail", "instance", "code", "request_id"];
    expect(spec.components.schemas.Problem?.required).toEqual(expect.arrayContaining(required));
  });

  test("operations that read a body document 400, 413, 415 and 422; ones with parameters 422", () => {
    for (const { method, key, operation } of documentedOperations()) {
      const statuses = statusesOf(operation);
      if (BODY_METHODS.has(method)) {
        expect(statuses, key).toEqual(expect.arrayContaining(["400", "413", "415", "422"]));
      }
      if (operation.parameters?.length) expect(statuses, key).toContain("422");
    }
    expect(statusesOf(documented("GET /api/v1/users/me"))).not.toContain("422");
    expect(statusesOf(documented("GET /api/v1/users/me"))).not.toContain("415");
    expect(documented(TOKEN).responses?.["415"]?.description).toContain(FORM_AND_JSON[0]);
    const createTaskResponses = documented("POST /api/v1/tasks").responses;
    expect(createTaskResponses?.["415"]?.description).toEndWith(
      "send the body as application/json",
    );
  });

  test("protected operations document 401 with WWW-Authenticate", () => {
    const protectedOps = documentedOperations().filter(
      ({ operation }) => operation.security?.length,
    );
    expect(protectedOps.length).toBeGreaterThan(10);
    for (const { key, operation } of protectedOps) {
      const header = operation.responses?.["401"]?.headers?.["WWW-Authenticate"];
      expect(header, key).toMatchObject({ required: true, schema: { enum: ["Bearer"] } });
    }
  });

  test("rate-limited operations document 429 with Retry-After, and RateLimit-* on every response; the probes neither", () => {
    const operations = documentedOperations();
    expect(operations.map(({ path }) => path)).toEqual(expect.arrayContaining(PROBES));
    for (const { path, key, operation } of operations) {
      const responses = Object.values(operation.responses ?? {});
      if (PROBES.includes(path)) {
        expect(statusesOf(operation), key).not.toContain("429");
        for (const response of responses)
          expect(headersOf(response), key).not.toContain("RateLimit-Limit");
        continue;
      }
      const retryAfter = operation.responses?.["429"]?.headers?.["Retry-After"];
      expect(retryAfter, key).toMatchObject({ required: true, description: expect.any(String) });
      for (const response of responses) {
        expect(headersOf(response), key).toEqual(expect.arrayContaining(RATE_LIMIT_HEADERS));
      }
    }
  });

  test("/ready documents 503 and /metrics its Prometheus text", async () => {
    expect(statusesOf(documented("GET /ready"))).toEqual(["200", "500", "503"]);
    const metrics = documented("GET /metrics").responses?.["200"];
    expect(Object.keys(metrics?.content ?? {})).toEqual(["text/plain"]);
    const response = await ctx.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/plain");
  });

  test("auth routes document 403 for a banned address, password-checking routes 503, both with Retry-After", () => {
    const authOps = documentedOperations().filter(({ path }) => path.startsWith("/api/v1/auth/"));
    const throttled = ["login", "signup", "token", "forgot-password", "verify-otp", "verify-email"];
    expect(authOps.map(({ key }) => key)).toEqual(
      expect.arrayContaining(throttled.map((name) => `POST /api/v1/auth/${name}`)),
    );
    for (const { key, operation } of authOps) {
      expect(headersOf(operation.responses?.["403"]), key).toContain("Retry-After");
    }
    const hashing = [
      "POST /api/v1/auth/login",
      TOKEN,
      "POST /api/v1/auth/signup",
      "POST /api/v1/auth/reset-password",
      "POST /api/v1/users/me/password",
      "PATCH /api/v1/users/me",
      "DELETE /api/v1/users/me",
    ];
    for (const key of hashing) {
      const busy = documented(key).responses?.["503"];
      expect(headersOf(busy), key).toContain("Retry-After");
      expect(busy?.description, key).toContain("password");
    }
    const loginRefused = documented("POST /api/v1/auth/login").responses?.["403"];
    expect(loginRefused?.description).toContain("deactivated");
  });
});

describe("response headers in /docs/json", () => {
  test("tasks document ETag and Location where they are sent", () => {
    const created = documented("POST /api/v1/tasks").responses?.["201"];
    expect(headersOf(created)).toEqual(expect.arrayContaining(["ETag", "Location"]));
    expect(created?.headers?.ETag?.description).toContain("If-Match");
    for (const method of ["GET", "PUT", "PATCH"]) {
      const key = `${method} /api/v1/tasks/{id}`;
      expect(headersOf(documented(key).responses?.["200"]), key).toContain("ETag");
    }
    const notModified = documented("GET /api/v1/tasks/{id}").responses?.["304"];
    expect(headersOf(notModified)).toContain("ETag");
    // No body: the plugin's `content: { type: "void" }` is not valid OpenAPI.
    expect(notModified?.content).toBeUndefined();
    expect(documented("DELETE /api/v1/tasks/{id}").responses?.["204"]?.content).toBeUndefined();
  });

  test("every list documents X-Total-Count and Link", () => {
    for (const path of [
      "tasks",
      "admin/users",
      "admin/bans",
      "admin/jobs",
      "boards",
      "boards/{id}/activity",
      "tasks/{id}/comments",
    ]) {
      const key = `GET /api/v1/${path}`;
      const list = documented(key).responses?.["200"];
      expect(headersOf(list), key).toEqual(expect.arrayContaining(["X-Total-Count", "Link"]));
      expect(list?.headers?.Link?.description, key).toContain("RFC 8288");
    }
  });
});

test("numbers in responses are documented as numbers, not numeric strings", () => {
  expect(JSON.stringify(spec)).not.toContain('"format":"integer"');
  const task = resolved(
    documented("GET /api/v1/tasks/{id}").responses?.["200"]?.content?.["application/json"]?.schema,
  ) as { properties: Record<string, unknown> };
  expect(task.properties.id).toEqual({ type: "integer" });
  expect(task.properties.position).toEqual(expect.objectContaining({ type: "number" }));
});

describe("what /docs/json says is what the server does", () => {
  test("exactly the operations documenting 429 answer 429 once the limit is used up", async () => {
    const limited = await createTestContext({ ...UNTHROTTLED_ENV, RATE_LIMIT_MAX: "1" });
    expect((await limited.request("/api/v1/users/me")).status).toBe(401);
    for (const { method, path, key, operation } of documentedOperations()) {
      const response = await limited.request(concrete(path), { method });
      expect(response.status === 429, key).toBe(statusesOf(operation).includes("429"));
      if (response.status !== 429) continue;
      expect(response.headers.get("content-type")).toStartWith("application/problem+json");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(response.headers.get("ratelimit-limit")).toBe("1");
      expect(response.headers.get("ratelimit-remaining")).toBe("0");
    }
  });

  test("a banned address gets the documented 403 on every auth route and not elsewhere", async () => {
    const banning = await createTestContext({ ...UNTHROTTLED_ENV, AUTH_BAN_THRESHOLD: "1" });
    const user = await createUser(banning);
    const failed = await banning.request("/api/v1/auth/login", {
      body: { email: user.email, password: "not-the-password" },
    });
    expect(failed.status).toBe(401);
    for (const { method, path, key } of documentedOperations()) {
      if (!path.startsWith("/api/v1/auth/")) continue;
      const response = await banning.request(concrete(path), { method, token: user.accessToken });
      expect(response.status, key).toBe(403);
      expect(statusesOf(documented(key)), key).toContain("403");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await codeOf(response)).toBe("forbidden_access");
    }
    const me = await banning.request("/api/v1/users/me", { token: user.accessToken });
    expect(me.status).toBe(200);
  });

  test("every header documented on a success response is sent", async () => {
    const live = await createTestContext({ AUTH_RATE_LIMIT_MAX: "0", AUTH_BAN_THRESHOLD: "0" });
    const user = await createUser(live);
    const admin = { token: (await createUserWithRole(live, "admin")).accessToken };
    const task = `/api/v1/tasks/${(await createTask(live, user)).id}`;
    const etag = (await live.request(task, { token: user.accessToken })).headers.get("etag");
    const made = await live.request("/api/v1/boards", {
      token: user.accessToken,
      body: { name: "Docs" },
    });
    const board = `/api/v1/boards/${((await made.json()) as { id: number }).id}`;
    const boardEtag = (await live.request(board, { token: user.accessToken })).headers.get("etag");
    const calls: [string, number, string, Parameters<TestContext["request"]>[1]][] = [
      ["POST /api/v1/tasks", 201, "/api/v1/tasks", { body: { title: "New" } }],
      ["GET /api/v1/tasks/{id}", 200, task, {}],
      ["GET /api/v1/tasks/{id}", 304, task, { headers: { "if-none-match": etag ?? "" } }],
      ["PUT /api/v1/tasks/{id}", 200, task, { method: "PUT", body: { title: "Renamed" } }],
      ["PATCH /api/v1/tasks/{id}", 200, task, { method: "PATCH", body: { priority: 2 } }],
      ["GET /api/v1/tasks", 200, "/api/v1/tasks?limit=1", {}],
      ["GET /api/v1/admin/users", 200, "/api/v1/admin/users", admin],
      ["GET /api/v1/admin/bans", 200, "/api/v1/admin/bans", admin],
      ["GET /api/v1/admin/jobs", 200, "/api/v1/admin/jobs", admin],
      ["POST /api/v1/boards", 201, "/api/v1/boards", { body: { name: "Another" } }],
      ["GET /api/v1/boards", 200, "/api/v1/boards?limit=1", {}],
      ["GET /api/v1/boards/{id}", 200, board, {}],
      ["GET /api/v1/boards/{id}", 304, board, { headers: { "if-none-match": boardEtag ?? "" } }],
      ["PATCH /api/v1/boards/{id}", 200, board, { method: "PATCH", body: { name: "Renamed" } }],
      ["POST /api/v1/boards/{id}/lists", 201, `${board}/lists`, { body: { name: "Todo" } }],
      ["GET /api/v1/boards/{id}/activity", 200, `${board}/activity`, {}],
      ["POST /api/v1/tasks/{id}/comments", 201, `${task}/comments`, { body: { body: "Hi" } }],
      ["GET /api/v1/tasks/{id}/comments", 200, `${task}/comments`, {}],
    ];
    for (const [key, status, url, init] of calls) {
      const response = await live.request(url, { token: user.accessToken, ...init });
      expect(response.status, key).toBe(status);
      const names = headersOf(documented(key).responses?.[String(status)]);
      expect(names.length, key).toBeGreaterThan(RATE_LIMIT_HEADERS.length);
      const missing = names.filter((name) => response.headers.get(name) === null);
      expect(missing, `${key} ${status}`).toEqual([]);
    }
  });
});

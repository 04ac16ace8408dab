import { beforeAll, describe, expect, test } from "bun:test";
import { createTestContext, type TestContext } from "./support/app";

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
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

  test("points Swagger UI at /docs/json", async () => {
    const html = await (await ctx.request("/docs")).text();
    const match = /"url"\s*:\s*"([^"]+)"/.exec(html);
    expect(match?.[1]).toBeDefined();
    expect(new URL(match?.[1] ?? "", "http://localhost/docs").pathname).toBe("/docs/json");
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

import { beforeAll, describe, expect, test } from "bun:test";
import { createUserWithRole } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createBoard, createCard, createList } from "./support/boards";
import { createUser, type TestUser } from "./support/factories";
import {
  bodySchemaOf,
  COMPONENT_PREFIX,
  fetchDocument,
  type OpenApiDoc,
  operationsOf,
  resolveSchema,
  type SchemaDoc,
} from "./support/openapi";

// What generated clients need from /docs/json: reusable named types, integer ids, standard
// JSON Schema only, and rules that are the server's own.
let ctx: TestContext;
let doc: OpenApiDoc;
let admin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext(UNTHROTTLED_ENV);
  doc = await fetchDocument(ctx);
  // Id 1 (user and session) is someone else's: the parameter checks below send id 1 to every
  // route, DELETE ones included, with the admin's token.
  await createUser(ctx);
  admin = await createUserWithRole(ctx, "admin");
});

/** Every `$ref` anywhere in the document. */
function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsIn(item, found);
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe("named component schemas", () => {
  test("resources and bodies are components with the names a client expects", () => {
    const names = Object.keys(doc.components.schemas);
    for (const name of [
      "Task",
      "User",
      "AdminUser",
      "Session",
      "Ban",
      "Job",
      "TokenResponse",
      "Problem",
      "OAuthProblem",
      "CreateTaskBody",
      "UpdateTaskBody",
      "SignupBody",
      "LoginBody",
      "TokenRequest",
      "UpdateMeBody",
      "ChangePasswordBody",
      "Board",
      "BoardDetail",
      "List",
      "Member",
      "Comment",
      "ActivityEntry",
      "SearchResults",
      "CreateBoardBody",
      "UpdateBoardBody",
      "CreateListBody",
      "UpdateListBody",
      "AddMemberBody",
      "UpdateMemberBody",
      "CommentBody",
    ]) {
      expect(names).toContain(name);
    }
  });

  test("every request body and every JSON response body is a $ref (or a list of them)", () => {
    let bodies = 0;
    for (const { key, operation } of operationsOf(doc)) {
      const contents = [
        ...Object.values(operation.requestBody?.content ?? {}),
        ...Object.entries(operation.responses)
          .filter(([status]) => Number(status) < 300)
          .flatMap(([, response]) => Object.values(response.content ?? {}))
          .filter((media) => !(media.schema.type === "string")),
      ];
      for (const { schema } of contents) {
        bodies += 1;
        const ref = schema.type === "array" ? (schema.items as SchemaDoc).$ref : schema.$ref;
        expect({ key, ref: typeof ref }).toEqual({ key, ref: "string" });
      }
    }
    expect(bodies).toBeGreaterThan(40);
    const task = doc.paths["/api/v1/tasks/{id}"]?.get?.responses["200"]?.content;
    expect(task?.["application/json"]?.schema).toEqual({ $ref: `${COMPONENT_PREFIX}Task` });
  });

  test("every $ref resolves, and every component is used", () => {
    const refs = new Set(refsIn(doc.paths));
    for (const schema of Object.values(doc.components.schemas)) {
      for (const ref of refsIn(schema)) refs.add(ref);
    }
    const names = [...refs].map((ref) => ref.slice(COMPONENT_PREFIX.length)).sort();
    expect(names).toEqual(Object.keys(doc.components.schemas).sort());
  });

  test("the document is the same on every request", async () => {
    expect(await fetchDocument(ctx)).toEqual(doc);
  });

  test("requests served before the first look at the document do not change it", async () => {
    // Elysia completes a route's schema in place when the route first runs: a server that had
    // created a task or a board before anyone opened /docs answered 500 there.
    const used = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(used);
    const board = await createBoard(used, user);
    const list = await createList(used, user, board.id);
    const card = await createCard(used, user, list.id);
    const task = await used.request("/api/v1/tasks", {
      token: user.accessToken,
      body: { title: "x" },
    });
    expect(task.status).toBe(201);
    const update = { method: "PATCH", token: user.accessToken, body: { completed: true } };
    expect((await used.request(`/api/v1/tasks/${card.id}`, update)).status).toBe(200);
    expect((await used.request("/api/v1/tasks/999999", { token: user.accessToken })).status).toBe(
      404,
    );
    expect(await fetchDocument(used)).toEqual(doc);
  });
});

// JSON Schema 2020-12 (as OpenAPI 3.1 uses it) and OpenAPI's own schema keywords.
const SCHEMA_KEYWORDS = new Set(
  (
    "$ref type enum const properties required additionalProperties items prefixItems minItems " +
    "maxItems minLength maxLength pattern format minimum maximum anyOf oneOf allOf not " +
    "dependentRequired description examples default title nullable"
  ).split(" "),
);

/** Every schema keyword used in the document, with where it was seen. */
function keywordsIn(schema: SchemaDoc, where: string, seen: Map<string, string>): void {
  for (const [keyword, value] of Object.entries(schema)) {
    if (!seen.has(keyword)) seen.set(keyword, where);
    if (keyword === "properties") {
      for (const [name, child] of Object.entries(value as Record<string, SchemaDoc>)) {
        keywordsIn(child, `${where}/${name}`, seen);
      }
    } else if (["anyOf", "oneOf", "allOf", "prefixItems"].includes(keyword)) {
      for (const child of value as SchemaDoc[]) keywordsIn(child, where, seen);
    } else if (["items", "additionalProperties", "not"].includes(keyword)) {
      if (typeof value === "object") keywordsIn(value as SchemaDoc, where, seen);
    }
  }
}

describe("standard keywords only", () => {
  test("no schema carries the server's own keywords (error messages, $id)", () => {
    const seen = new Map<string, string>();
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      keywordsIn(schema, name, seen);
    }
    for (const { key, operation } of operationsOf(doc)) {
      for (const parameter of operation.parameters ?? []) keywordsIn(parameter.schema, key, seen);
    }
    const unknown = [...seen].filter(([keyword]) => !SCHEMA_KEYWORDS.has(keyword));
    expect(unknown).toEqual([]);
    expect(seen.has("pattern")).toBe(true);
    expect(JSON.stringify(doc)).not.toContain('"error":"Must');
  });

  test("every operation states its security, [] when public; there is a server", () => {
    for (const { key, operation } of operationsOf(doc)) {
      expect({ key, security: Array.isArray(operation.security) }).toEqual({
        key,
        security: true,
      });
    }
    expect(doc.paths["/api/v1/auth/login"]?.post?.security).toEqual([]);
    expect(doc.paths["/health"]?.get?.security).toEqual([]);
    expect(doc.servers).toEqual([expect.objectContaining({ url: "/" })]);
  });
});

describe("tags", () => {
  test("every tag an operation carries is declared once, with a description", () => {
    const declared = (doc.tags ?? []).map((tag) => tag.name);
    expect(new Set(declared).size).toBe(declared.length);
    const used = new Set(operationsOf(doc).flatMap(({ operation }) => operation.tags ?? []));
    expect([...used].filter((tag) => !declared.includes(tag))).toEqual([]);
    for (const tag of doc.tags ?? []) expect(tag.description, tag.name).toBeTruthy();
  });
});

describe("integer parameters", () => {
  const integerParameters = () =>
    operationsOf(doc).flatMap((operation) =>
      (operation.operation.parameters ?? [])
        .filter((parameter) => parameter.schema.type === "integer")
        .map((parameter) => ({ ...operation, parameter })),
    );

  test("path ids and numeric query parameters are documented as integers with their range", () => {
    const names = new Set(integerParameters().map(({ parameter }) => parameter.name));
    expect([...names].sort()).toEqual(
      ["id", "limit", "offset", "priority", "board_id", "list_id", "user_id", "since"].sort(),
    );
    for (const { key, parameter } of integerParameters()) {
      expect({ key, name: parameter.name, pattern: parameter.schema.pattern }).toEqual({
        key,
        name: parameter.name,
        pattern: undefined,
      });
      expect(typeof parameter.schema.minimum).toBe("number");
      expect(typeof parameter.schema.maximum).toBe("number");
    }
    const assignee = doc.paths["/api/v1/tasks"]?.get?.parameters?.find(
      (parameter) => parameter.name === "assignee_id",
    );
    expect(assignee?.schema.anyOf).toEqual([
      expect.objectContaining({ type: "integer", minimum: 1 }),
      { type: "string", const: "me" },
    ]);
  });

  test("the server takes each documented bound and refuses anything else, naming the parameter", async () => {
    let checked = 0;
    for (const { method, path, key, parameter } of integerParameters()) {
      const { minimum = 0, maximum = 0 } = parameter.schema;
      const send = (value: string) => {
        const concrete = path.replace(/\{(\w+)\}/g, (_, name) =>
          name === parameter.name && parameter.in === "path" ? value : "1",
        );
        const query = parameter.in === "query" ? `?${parameter.name}=${value}` : "";
        return ctx.request(`${concrete}${query}`, {
          method,
          token: admin.accessToken,
          body: bodyFor(method),
        });
      };
      const refused = async (value: string) => {
        const response = await send(value);
        if (response.status !== 422) return false;
        const body = (await response.json()) as { errors?: { path: string }[] };
        return body.errors?.some((error) => error.path === `/${parameter.name}`) ?? false;
      };
      for (const value of [minimum, maximum]) {
        expect({ key, value, refused: await refused(String(value)) }).toEqual({
          key,
          value,
          refused: false,
        });
      }
      const wrong = [minimum - 1, maximum + 1, `0${minimum + 1}`, `${minimum}.0`, "1e1", "+1", "x"];
      // An empty path segment is another route; an empty query value is not a number.
      if (parameter.in === "query") wrong.push("");
      for (const value of wrong) {
        expect({ key, value, refused: await refused(String(value)) }).toEqual({
          key,
          value,
          refused: true,
        });
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15);
  });
});

/** A body that passes the media-type check, for methods that read one. */
function bodyFor(method: string): unknown {
  return ["POST", "PUT", "PATCH"].includes(method) ? {} : undefined;
}

describe("rules stated in standard terms", () => {
  test("login: exactly one of email or username, as the document's oneOf says", async () => {
    const schema = resolveSchema(
      doc,
      doc.paths["/api/v1/auth/login"]?.post?.requestBody?.content["application/json"]?.schema,
    );
    const alternatives = (schema.oneOf as { required: string[] }[]).map((one) => one.required);
    expect(alternatives).toEqual([["email"], ["username"]]);
    const user = await createUser(ctx);
    const bodies = [
      { email: user.email, password: user.password },
      { username: user.username, password: user.password },
      { password: user.password },
      { email: user.email, username: user.username, password: user.password },
    ];
    for (const body of bodies) {
      const matching = alternatives.filter((names) => names.every((name) => name in body));
      const response = await ctx.request("/api/v1/auth/login", { body });
      expect({ body, status: response.status }).toEqual({
        body,
        status: matching.length === 1 ? 200 : 422,
      });
    }
  });

  test("the token endpoint's 400 has the RFC 6749 fields its schema documents", async () => {
    const schema = doc.components.schemas.OAuthProblem as SchemaDoc;
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(["error", "error_description", "code", "detail"]),
    );
    const user = await createUser(ctx);
    const forms: Record<string, string>[] = [
      { grant_type: "password", username: user.username },
      { grant_type: "password", username: user.username, password: "Not-the-password-1" },
      { grant_type: "refresh_token", refresh_token: "not-a-token" },
    ];
    const errors: unknown[] = [];
    for (const form of forms) {
      const response = await ctx.request("/api/v1/auth/token", { body: new URLSearchParams(form) });
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).filter((name) => !(name in (schema.properties ?? {})))).toEqual([]);
      expect(body.error_description).toBe(body.detail);
      errors.push(body.error);
    }
    expect(errors).toEqual(["invalid_request", "invalid_grant", "invalid_grant"]);
    expect(((schema.properties?.error?.enum ?? []) as string[]).sort()).toEqual([
      "invalid_grant",
      "invalid_request",
    ]);
  });

  test("every JSON body the document describes is an object with only documented fields", () => {
    for (const { key, operation } of operationsOf(doc)) {
      const schema = bodySchemaOf(doc, operation);
      if (!schema) continue;
      expect({ key, type: schema.type, closed: schema.additionalProperties }).toEqual({
        key,
        type: "object",
        closed: false,
      });
    }
  });
});

import { beforeAll, describe, expect, test } from "bun:test";
import { codePointLength } from "../src/platform/http/schema-kinds";
import { createUserWithRole } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, type TestUser, userValues } from "./support/factories";
import { bodySchemaOf, fetchDocument, type OpenApiDoc, operationsOf } from "./support/openapi";

// Length limits count characters (Unicode code points), as JSON Schema's maxLength does and as
// the document states them: an emoji is one character, though two UTF-16 units.
const EMOJI = "😀";
const emoji = (count: number) => EMOJI.repeat(count);

let ctx: TestContext;
let doc: OpenApiDoc;
let user: TestUser;

beforeAll(async () => {
  ctx = await createTestContext(UNTHROTTLED_ENV);
  doc = await fetchDocument(ctx);
  user = await createUser(ctx);
});

describe("task titles", () => {
  const post = (title: string) =>
    ctx.request("/api/v1/tasks", { token: user.accessToken, body: { title } });

  test("150 emoji are 150 characters: accepted and stored whole", async () => {
    const response = await post(emoji(150));
    expect(response.status).toBe(201);
    expect(((await response.json()) as { title: string }).title).toBe(emoji(150));
  });

  test("200 emoji are accepted, 201 refused naming the title", async () => {
    expect((await post(emoji(200))).status).toBe(201);
    const problem = await expectProblem(await post(emoji(201)), 422, "validation_error");
    expect(problem.errors).toEqual([{ path: "/title", message: "Must be 1–200 characters" }]);
  });

  test("the limit applies after trimming on update too", async () => {
    const created = (await (await post("short")).json()) as { id: number };
    const patch = (title: string) =>
      ctx.request(`/api/v1/tasks/${created.id}`, {
        method: "PATCH",
        token: user.accessToken,
        body: { title },
      });
    const padded = await patch(`  ${emoji(200)}\n`);
    expect(padded.status).toBe(200);
    expect(((await padded.json()) as { title: string }).title).toBe(emoji(200));
    await expectProblem(await patch(` ${emoji(201)} `), 422, "validation_error");
    await expectProblem(await patch(" \t "), 422, "validation_error");
  });
});

test("a full name of 100 emoji signs up; 101 is refused", async () => {
  const ok = await ctx.request("/api/v1/auth/signup", {
    body: { ...userValues(), full_name: emoji(100) },
  });
  expect(ok.status).toBe(201);
  const body = (await ok.json()) as { user: { full_name: string } };
  expect(body.user.full_name).toBe(emoji(100));
  const tooLong = await ctx.request("/api/v1/auth/signup", {
    body: { ...userValues(), full_name: emoji(101) },
  });
  const problem = await expectProblem(tooLong, 422, "validation_error");
  expect(problem.errors?.map((error) => error.path)).toEqual(["/full_name"]);
});

test("a password of 8 emoji is 8 characters: long enough", async () => {
  const values = userValues({ password: `${emoji(7)}x` });
  expect((await ctx.request("/api/v1/auth/signup", { body: values })).status).toBe(201);
  const short = await ctx.request("/api/v1/auth/signup", {
    body: userValues({ password: emoji(7) }),
  });
  const problem = await expectProblem(short, 422, "validation_error");
  expect(problem.errors?.map((error) => error.path)).toEqual(["/password"]);
});

/** Whether the server refused the named field (or parameter) of a request. */
async function refusedField(response: Response, name: string): Promise<boolean> {
  if (response.status !== 422) return false;
  const body = (await response.json()) as { errors?: { path: string }[] };
  return body.errors?.some((error) => error.path === `/${name}`) ?? false;
}

describe("every length limit the document states is the server's, in characters", () => {
  test("body fields: maxLength emoji pass, one more is refused; minLength likewise", async () => {
    let checked = 0;
    for (const { method, path, key, operation } of operationsOf(doc)) {
      const schema = bodySchemaOf(doc, operation);
      for (const [name, field] of Object.entries(schema?.properties ?? {})) {
        const { maxLength, minLength = 0, pattern } = field;
        if (maxLength === undefined) continue;
        // Fields whose pattern refuses emoji (usernames, emails) are checked elsewhere.
        if (pattern && !new RegExp(pattern, "u").test(emoji(maxLength))) continue;
        const send = async (value: string) => {
          // A fresh account each time: some of these calls end the session or the account.
          const caller = await createUserWithRole(ctx, "admin");
          const url = path.replace(/\{\w+\}/g, "1");
          const body = { [name]: value };
          return ctx.request(url, { method, token: caller.accessToken, body });
        };
        const cases: [number, boolean][] = [
          [maxLength, false],
          [maxLength + 1, true],
        ];
        if (minLength > 1) cases.push([minLength, false], [minLength - 1, true]);
        for (const [count, refused] of cases) {
          const outcome = await refusedField(await send(emoji(count)), name);
          expect({ key, name, count, refused: outcome }).toEqual({ key, name, count, refused });
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  test("query parameters: the same", async () => {
    const admin = await createUserWithRole(ctx, "admin");
    let checked = 0;
    for (const { path, key, operation } of operationsOf(doc)) {
      for (const parameter of operation.parameters ?? []) {
        const { maxLength } = parameter.schema;
        if (parameter.in !== "query" || maxLength === undefined) continue;
        for (const [count, refused] of [
          [maxLength, false],
          [maxLength + 1, true],
        ] as const) {
          const url = `${path}?${parameter.name}=${encodeURIComponent(emoji(count))}`;
          const response = await ctx.request(url, { token: admin.accessToken });
          const outcome = await refusedField(response, parameter.name);
          expect({ key, count, refused: outcome }).toEqual({ key, count, refused });
        }
        checked += 1;
      }
    }
    // tag and q on GET /tasks, q on GET /admin/users and on GET /search, access_token on /ws,
    // and the unsubscribe link's token on GET and POST /notifications/unsubscribe.
    expect(checked).toBe(7);
  });
});

test("the document's email pattern is the rule the server applies", async () => {
  const signup = bodySchemaOf(doc, doc.paths["/api/v1/auth/signup"]?.post ?? { responses: {} });
  const email = signup?.properties?.email;
  expect(email).toMatchObject({ format: "email", maxLength: 254 });
  const pattern = new RegExp(email?.pattern ?? "^$", "u");
  const addresses = [
    "ada@example.com",
    "Ada.Lovelace+tag@mail.example.org",
    "o'brien@example.ie",
    "x@a.b.c.d.example",
    `${"a".repeat(64)}@example.com`,
    "ada@localhost",
    "ada@@example.com",
    ".ada@example.com",
    "ada.@example.com",
    "a..da@example.com",
    "ada@-example.com",
    "ada@example-.com",
    "ada@exa_mple.com",
    "äda@example.com",
    "ada@exämple.com",
    "ada @example.com",
    " ada@example.com",
    "ada@example.com.",
  ];
  for (const address of addresses) {
    const response = await ctx.request("/api/v1/auth/forgot-password", {
      body: { email: address },
    });
    expect({ address, accepted: response.status === 202 }).toEqual({
      address,
      accepted: pattern.test(address),
    });
  }
  const long = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(59)}.io`;
  expect([long.length, pattern.test(long)]).toEqual([255, true]);
  const response = await ctx.request("/api/v1/auth/forgot-password", { body: { email: long } });
  expect(response.status).toBe(422);
});

test("code points: a surrogate pair is one, a lone surrogate is one too", () => {
  expect(codePointLength("")).toBe(0);
  expect(codePointLength("abc")).toBe(3);
  expect(codePointLength(emoji(3))).toBe(3);
  expect(codePointLength(`a${EMOJI}b`)).toBe(3);
  expect(codePointLength("\ud83d")).toBe(1);
  expect(codePointLength("\ude00\ud83d")).toBe(2);
  expect(codePointLength(`\ud83d${EMOJI}`)).toBe(2);
  expect(codePointLength("👩‍💻")).toBe(3);
});

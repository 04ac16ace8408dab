import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "../support/app";
import { createTask, createUser, type TestUser } from "../support/factories";
import { problemDefect } from "./helpers";

/**
 * Property-based abuse of every write route: arbitrary JSON, wrong types, huge and strange
 * strings, prototype-pollution keys and malformed text. Whatever arrives, the answer is never a
 * 5xx, and every 4xx is a complete RFC 9457 problem.
 */

const RUNS_PER_TARGET = 250;

interface Target {
  method: string;
  path: (ctx: Fuzz) => string;
  fields: string[];
  auth: boolean;
  form?: boolean;
}

interface Fuzz {
  ctx: TestContext;
  user: TestUser;
  taskId: number;
}

const TASK_FIELDS = ["title", "description", "completed", "due_date", "priority", "tags"];
const TARGETS: Target[] = [
  {
    method: "POST",
    path: () => "/api/v1/auth/signup",
    fields: ["username", "email", "password", "full_name"],
    auth: false,
  },
  {
    method: "POST",
    path: () => "/api/v1/auth/login",
    fields: ["email", "username", "password"],
    auth: false,
  },
  {
    method: "POST",
    path: () => "/api/v1/auth/token",
    fields: ["grant_type", "username", "password", "refresh_token", "scope"],
    auth: false,
    form: true,
  },
  { method: "POST", path: () => "/api/v1/auth/refresh", fields: ["refresh_token"], auth: false },
  {
    method: "POST",
    path: () => "/api/v1/auth/verify-otp",
    fields: ["email", "otp"],
    auth: false,
  },
  {
    method: "POST",
    path: () => "/api/v1/tasks",
    fields: [...TASK_FIELDS, "position", "list_id", "assignee_id"],
    auth: true,
  },
  {
    method: "PATCH",
    path: (f) => `/api/v1/tasks/${f.taskId}`,
    fields: [...TASK_FIELDS, "list_id"],
    auth: true,
  },
  { method: "PUT", path: (f) => `/api/v1/tasks/${f.taskId}`, fields: TASK_FIELDS, auth: true },
  {
    method: "PATCH",
    path: () => "/api/v1/users/me",
    fields: ["full_name", "username", "email", "email_notifications"],
    auth: true,
  },
];

const POLLUTION_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];
const STRANGE = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "\u202eevil",
  "𝕏😀",
  "Ω".repeat(300),
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "%00%ff",
  "NaN",
  "1e999",
  "-0",
  "2026-13-45T99:99:99Z",
  "ADMIN",
  "superadmin",
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 4, arbitrary: fc.constantFrom(...STRANGE) },
  {
    weight: 1,
    arbitrary: fc.string({ minLength: 2_000, maxLength: 30_000, unit: "binary-ascii" }),
  },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 53, -(2 ** 63), 1e308, 0.5),
);

function hostileValue(fields: string[]) {
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...fields) },
    { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const { value } = fc.letrec<{ value: unknown; entries: [string, unknown][] }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      hostileString,
      hostileNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      tie("entries").map(toObject),
    ),
    entries: fc.array(fc.tuple(key, tie("value")), { maxLength: 5 }),
  }));
  return { key, value };
}

/** JSON text for an object, with keys such as __proto__ kept as real keys of the text. */
function objectText(entries: [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`;
}

function toObject(entries: [string, unknown][]): unknown {
  return JSON.parse(objectText(entries));
}

/** Every kind of body a hostile client might send to this route, as raw text. */
function hostileBody(target: Target) {
  const { key, value } = hostileValue(target.fields);
  const fieldValue = fc.tuple(fc.constantFrom(...target.fields), value);
  const bodies = [
    fc.jsonValue().map((json) => JSON.stringify(json) ?? "null"),
    fc.array(fieldValue, { maxLength: target.fields.length }).map(objectText),
    fc.array(fc.tuple(key, value), { maxLength: 6 }).map(objectText),
    fc
      .tuple(fc.constantFrom(...POLLUTION_KEYS), fc.array(fieldValue, { maxLength: 3 }))
      .map(([pollute, rest]) => objectText([[pollute, { role: "superadmin" }], ...rest])),
    fc.string({ maxLength: 60 }),
  ];
  if (target.form) {
    bodies.push(
      fc
        .array(fc.tuple(key, hostileString), { maxLength: 6 })
        .map((pairs) => new URLSearchParams(pairs).toString()),
    );
  }
  return fc.oneof(...bodies).map((text) => ({
    text,
    form: target.form === true && !/^[[{"]/.test(text) && text.includes("="),
  }));
}

let sent = 0;
let fuzz: Fuzz;

beforeAll(async () => {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  fuzz = { ctx, user, taskId: (await createTask(ctx, user)).id };
});

afterAll(() => {
  console.log(`fuzz: ${sent} hostile requests across ${TARGETS.length} write routes`);
});

describe(`fuzzing ${TARGETS.length} write routes with ${TARGETS.length * RUNS_PER_TARGET} hostile bodies`, () => {
  for (const target of TARGETS) {
    test(`${target.method} ${target.path({ taskId: 1 } as Fuzz)}`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody(target), async ({ text, form }) => {
          sent += 1;
          const headers: Record<string, string> = {
            "content-type": form ? "application/x-www-form-urlencoded" : "application/json",
          };
          const response = await fuzz.ctx.request(target.path(fuzz), {
            method: target.method,
            body: text,
            headers,
            token: target.auth ? fuzz.user.accessToken : undefined,
          });
          const body = await response.text();
          if (response.status >= 500) throw new Error(`${response.status}: ${body}`);
          if (response.status >= 400) {
            const defect = problemDefect(response, body);
            if (defect) throw new Error(defect);
          }
        }),
        { numRuns: RUNS_PER_TARGET },
      );
    });
  }

  test("objects with their own toString or valueOf are 422, not 500 (found by this fuzz)", async () => {
    const cases: [string, string][] = [
      ["/api/v1/tasks", '{"title":{"toString":""}}'],
      ["/api/v1/tasks", '{"title":"ok","tags":[{"valueOf":1}]}'],
      ["/api/v1/auth/refresh", '{"refresh_token":{"toString":"x"}}'],
      ["/api/v1/auth/signup", '{"username":[[{"toString":""}]]}'],
      ["/api/v1/auth/login", '{"__proto__":{"toString":"x"},"password":"x"}'],
    ];
    for (const [path, text] of cases) {
      sent += 1;
      const response = await fuzz.ctx.request(path, { body: text, token: fuzz.user.accessToken });
      const body = await response.text();
      expect(problemDefect(response, body)).toBeNull();
      expect(response.status).toBe(422);
      expect(JSON.parse(body).errors[0].message).toBe("Unknown or read-only field");
    }
  });

  test("deeply nested bodies are refused quickly with 422 (they used to cost seconds)", async () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const cases = [
      nested(200_000),
      `{"title":${nested(10_000)}}`,
      `{"title":"x","tags":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`,
    ];
    for (const text of cases) {
      sent += 1;
      const started = performance.now();
      const response = await fuzz.ctx.request("/api/v1/tasks", {
        body: text,
        token: fuzz.user.accessToken,
      });
      const body = await response.text();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(problemDefect(response, body)).toBeNull();
      expect(response.status).toBe(422);
      expect(JSON.parse(body).detail).toBe("The body is nested more than 32 levels deep");
    }
  });

  test("bodies over BODY_LIMIT are 413 problems, JSON or not", async () => {
    const huge = "x".repeat(fuzz.ctx.deps.config.bodyLimitBytes + 1);
    for (const text of [JSON.stringify({ title: huge }), huge]) {
      sent += 1;
      const response = await fuzz.ctx.request("/api/v1/tasks", {
        body: text,
        token: fuzz.user.accessToken,
      });
      expect(response.status).toBe(413);
      expect(problemDefect(response, await response.text())).toBeNull();
    }
  });

  test("nothing was polluted and the fuzzed user is still a plain user", async () => {
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    const me = await fuzz.ctx.request("/api/v1/users/me", { token: fuzz.user.accessToken });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { role: string }).role).toBe("user");
  });
});

import { describe, expect, test } from "bun:test";
import { createTestContext, type RequestOptions, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

const TASKS = "/api/v1/tasks";
const NOW = "2026-11-21T10:00:00.000Z";

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const as =
    (who: TestUser) =>
    (path: string, init: RequestOptions = {}) =>
      ctx.request(path, { token: who.accessToken, ...init });
  const call = as(user);
  const post = (body: unknown) => call(TASKS, { body });
  return { ctx, user, call, post, as };
}

async function json(response: Response, status: number) {
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  return JSON.parse(text);
}

/** Asserts a 422 whose errors name `path`. */
async function expectInvalid(response: Response, path: string) {
  const problem = await expectProblem(response, 422, "validation_error");
  expect(problem.errors?.map((error) => error.path)).toContain(path);
  return problem;
}

describe("POST /tasks", () => {
  test("201 with Location, ETag and the full task with defaults", async () => {
    const { call, user, post } = await setup();
    const response = await post({ title: "Write the report" });
    const task = await json(response, 201);
    expect(task).toEqual({
      id: expect.any(Number),
      title: "Write the report",
      description: "",
      completed: false,
      completed_at: null,
      due_date: null,
      priority: 0,
      tags: [],
      position: expect.any(Number),
      board_id: null,
      list_id: null,
      assignee_id: null,
      owner_id: user.id,
      created_at: NOW,
      updated_at: NOW,
      version: 1,
    });
    expect(response.headers.get("location")).toBe(`${TASKS}/${task.id}`);
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[^"]+"$/);
    const read = await call(`${TASKS}/${task.id}`);
    expect(read.headers.get("etag")).toBe(etag);
    expect(await json(read, 200)).toEqual(task);
  });

  test("accepts every writable field and normalises them", async () => {
    const { call, user } = await setup();
    const body = {
      title: "  Plan the trip \n",
      description: "Book the train",
      completed: true,
      due_date: "2026-12-01T17:00:00+02:00",
      priority: 4,
      tags: ["travel", "Work", "travel", " work "],
      position: 2.5,
      assignee_id: user.id,
    };
    const task = await json(await call(TASKS, { body }), 201);
    expect(task).toMatchObject({
      title: "Plan the trip",
      description: "Book the train",
      completed: true,
      completed_at: NOW,
      due_date: "2026-12-01T15:00:00.000Z",
      priority: 4,
      tags: ["travel", "work"],
      position: 2.5,
      assignee_id: user.id,
    });
  });

  test("title: trimmed, 1–200 characters, required", async () => {
    const { post } = await setup();
    expect((await json(await post({ title: "x".repeat(200) }), 201)).title).toHaveLength(200);
    await expectInvalid(await post({ title: "x".repeat(201) }), "/title");
    // The limit applies to the trimmed title.
    expect((await json(await post({ title: ` ${"y".repeat(200)}\n` }), 201)).title).toBe(
      "y".repeat(200),
    );
    for (const title of ["", "   ", "\t\n"]) {
      await expectInvalid(await post({ title }), "/title");
    }
    await expectInvalid(await post({ title: 5 }), "/title");
    await expectInvalid(await post({ description: "no title" }), "/title");
  });

  test("description: at most 10,000 characters", async () => {
    const { post } = await setup();
    const ok = await json(await post({ title: "t", description: "d".repeat(10_000) }), 201);
    expect(ok.description).toHaveLength(10_000);
    const indented = await json(
      await post({ title: "t", description: "  - step one\n  - step two\n" }),
      201,
    );
    expect(indented.description).toBe("  - step one\n  - step two\n");
    await expectInvalid(
      await post({ title: "t", description: "d".repeat(10_001) }),
      "/description",
    );
  });

  test("priority: a whole number from 0 to 4", async () => {
    const { post } = await setup();
    for (const priority of [0, 1, 2, 3, 4]) {
      expect((await json(await post({ title: "p", priority }), 201)).priority).toBe(priority);
    }
    for (const priority of [5, -1, 1.5, "2", null, true]) {
      await expectInvalid(await post({ title: "p", priority }), "/priority");
    }
  });

  test("tags: at most 20 of at most 32 characters, returned de-duplicated and sorted", async () => {
    const { post } = await setup();
    const twenty = Array.from({ length: 20 }, (_, i) => `tag-${String(i).padStart(2, "0")}`);
    const task = await json(await post({ title: "t", tags: [...twenty].reverse() }), 201);
    expect(task.tags).toEqual(twenty);
    const long = await json(await post({ title: "t", tags: ["y".repeat(32)] }), 201);
    expect(long.tags).toEqual(["y".repeat(32)]);
    const dupes = await json(await post({ title: "t", tags: ["b", "a", "b", " a "] }), 201);
    expect(dupes.tags).toEqual(["a", "b"]);

    await expectInvalid(await post({ title: "t", tags: [...twenty, "one-more"] }), "/tags");
    const tooLong = await expectProblem(
      await post({ title: "t", tags: ["ok", "z".repeat(33)] }),
      422,
      "validation_error",
    );
    expect(tooLong.errors?.[0]?.path).toStartWith("/tags");
    for (const tags of [[""], ["  "], [1], "work", null]) {
      const problem = await expectProblem(
        await post({ title: "t", tags }),
        422,
        "validation_error",
      );
      expect(problem.errors?.[0]?.path).toStartWith("/tags");
    }
  });

  test("tags keep one order everywhere, even past U+FFFF", async () => {
    const { call, post } = await setup();
    const created = await json(await post({ title: "t", tags: ["ｚ", "😀", "a"] }), 201);
    const read = await json(await call(`${TASKS}/${created.id}`), 200);
    expect(read.tags).toEqual(created.tags);
    expect(created.tags).toEqual(["a", "ｚ", "😀"]);
    const patched = await call(`${TASKS}/${created.id}`, {
      method: "PATCH",
      body: { tags: ["😀", "a", "ｚ"] },
    });
    expect((await json(patched, 200)).version).toBe(1);
  });

  test("due_date: ISO date-time, date or null; anything else is 422", async () => {
    const { post } = await setup();
    const cases: [string | null, string | null][] = [
      ["2026-12-01T17:00:00Z", "2026-12-01T17:00:00.000Z"],
      ["2026-12-01T17:00:00.5-05:30", "2026-12-01T22:30:00.500Z"],
      ["2026-12-01", "2026-12-01T00:00:00.000Z"],
      ["2028-02-29", "2028-02-29T00:00:00.000Z"],
      [null, null],
    ];
    for (const [input, stored] of cases) {
      expect((await json(await post({ title: "d", due_date: input }), 201)).due_date).toBe(stored);
    }
    for (const due_date of [
      "tomorrow",
      "2026-13-01",
      "2026-02-30",
      "2027-02-29",
      "12/01/2026",
      "2026-12-01T17:00:00",
      "2026-12-01T24:00:00Z",
      "9999-12-31T23:59:59-14:00",
      "",
      20261201,
    ]) {
      await expectInvalid(await post({ title: "d", due_date }), "/due_date");
    }
  });

  test("unknown and server-owned fields are rejected, each named", async () => {
    const { call, post } = await setup();
    const forbidden = {
      id: 99,
      owner_id: 1,
      version: 7,
      created_at: NOW,
      updated_at: NOW,
      completed_at: NOW,
      board_id: 1,
      colour: "red",
    };
    for (const [field, value] of Object.entries(forbidden)) {
      const problem = await expectInvalid(await post({ title: "t", [field]: value }), `/${field}`);
      expect(problem.detail).toContain(field);
    }
    const all = await expectProblem(
      await post({ title: "t", ...forbidden }),
      422,
      "validation_error",
    );
    expect(all.errors?.map((e) => e.path).sort()).toEqual(
      Object.keys(forbidden)
        .map((f) => `/${f}`)
        .sort(),
    );
    const list = await json(await call(TASKS), 200);
    expect(list).toEqual([]);
  });

  test("values of the wrong type, or naming what does not exist, are 422", async () => {
    const { post } = await setup();
    const wrong: [string, unknown][] = [
      ["completed", "true"],
      ["position", "5"],
      ["position", 1e13],
      ["assignee_id", "1"],
      ["description", 5],
      ["title", ["a"]],
      ["list_id", 999_999],
      ["assignee_id", 999_999],
    ];
    for (const [field, value] of wrong) {
      await expectInvalid(await post({ title: "t", [field]: value }), `/${field}`);
    }
  });

  test("malformed bodies and anonymous calls", async () => {
    const { ctx, post } = await setup();
    await expectProblem(await post("{not json"), 400, "bad_request");
    await expectProblem(await post([]), 422, "validation_error");
    const anonymous = await ctx.request(TASKS, { body: { title: "t" } });
    await expectProblem(anonymous, 401, "unauthorized_error");
    expect(anonymous.headers.get("www-authenticate")).toStartWith("Bearer");
  });
});

describe("GET /tasks/{id}", () => {
  test("a missing task is a 404 problem", async () => {
    const { call } = await setup();
    const problem = await expectProblem(await call(`${TASKS}/424242`), 404, "not_found");
    expect(problem.detail).toBe("Task not found");
    expect(problem.instance).toBe(`${TASKS}/424242`);
  });

  test("an id that is not a positive whole number is 422 naming id", async () => {
    const { call } = await setup();
    for (const id of ["abc", "0", "-1", "1.5", "1e3", "99999999999999999999"]) {
      const problem = await expectInvalid(await call(`${TASKS}/${id}`), "/id");
      expect(problem.detail).toContain("id");
    }
  });

  test("another user's task does not exist for you, for any method", async () => {
    const { ctx, call, as } = await setup();
    const other = await createUser(ctx);
    const theirs = await createTask(ctx, other, { title: "Private" });
    const path = `${TASKS}/${theirs.id}`;
    await expectProblem(await call(path), 404, "not_found");
    await expectProblem(
      await call(path, { method: "PATCH", body: { title: "mine" } }),
      404,
      "not_found",
    );
    await expectProblem(
      await call(path, { method: "PUT", body: { title: "mine" } }),
      404,
      "not_found",
    );
    await expectProblem(await call(path, { method: "DELETE" }), 404, "not_found");
    const still = await json(await as(other)(path), 200);
    expect(still).toMatchObject({ title: "Private", version: 1 });
  });
});

describe("PUT and PATCH /tasks/{id}", () => {
  for (const method of ["PATCH", "PUT"]) {
    test(`${method} changes only the fields sent, bumps version and ETag`, async () => {
      const { ctx, call } = await setup();
      const created = await json(
        await call(TASKS, {
          body: { title: "Old", description: "keep", priority: 1, tags: ["a"] },
        }),
        201,
      );
      ctx.clock.advance(60_000);
      const response = await call(`${TASKS}/${created.id}`, {
        method,
        body: { title: " New ", priority: 3 },
      });
      const updated = await json(response, 200);
      expect(updated).toEqual({
        ...created,
        title: "New",
        priority: 3,
        updated_at: "2026-11-21T10:01:00.000Z",
        version: 2,
      });
      const etag = response.headers.get("etag");
      expect(etag).toMatch(/^"[^"]+"$/);
      const read = await call(`${TASKS}/${created.id}`);
      expect(read.headers.get("etag")).toBe(etag);
      expect(await json(read, 200)).toEqual(updated);
    });
  }

  test("completed_at is set when completed becomes true and cleared when false", async () => {
    const { ctx, call, post } = await setup();
    const { id } = await json(await post({ title: "t" }), 201);
    const path = `${TASKS}/${id}`;
    ctx.clock.advance(5_000);
    const done = await json(await call(path, { method: "PATCH", body: { completed: true } }), 200);
    expect(done).toMatchObject({
      completed: true,
      completed_at: "2026-11-21T10:00:05.000Z",
      version: 2,
    });
    ctx.clock.advance(5_000);
    const again = await json(await call(path, { method: "PATCH", body: { completed: true } }), 200);
    expect(again).toEqual(done);
    const undone = await json(
      await call(path, { method: "PATCH", body: { completed: false } }),
      200,
    );
    expect(undone).toMatchObject({ completed: false, completed_at: null, version: 3 });
  });

  test("a no-op update keeps version, ETag and updated_at", async () => {
    const { ctx, call } = await setup();
    const create = await call(TASKS, {
      body: { title: "Same", tags: ["b", "a"], due_date: "2026-12-01", priority: 2 },
    });
    const created = await json(create, 201);
    const path = `${TASKS}/${created.id}`;
    ctx.clock.advance(60_000);
    for (const body of [
      {},
      { title: "Same" },
      { title: "  Same  " },
      { tags: ["A", "b", "a"] },
      { due_date: "2026-12-01T00:00:00Z" },
      { priority: 2, completed: false },
    ]) {
      const response = await call(path, { method: "PATCH", body });
      expect(await json(response, 200)).toEqual(created);
      expect(response.headers.get("etag")).toBe(create.headers.get("etag"));
    }
  });

  test("tags, due_date, position and assignee can be replaced and cleared", async () => {
    const { call, post, user } = await setup();
    const { id } = await json(await post({ title: "t", tags: ["a"], due_date: "2026-12-01" }), 201);
    const path = `${TASKS}/${id}`;
    const patch = async (body: Record<string, unknown>) =>
      json(await call(path, { method: "PATCH", body }), 200);
    const replaced = await patch({ tags: ["z", "y"], due_date: "2027-01-02", position: -4.5 });
    expect(replaced).toMatchObject({
      tags: ["y", "z"],
      due_date: "2027-01-02T00:00:00.000Z",
      position: -4.5,
      version: 2,
    });
    expect(await patch({ assignee_id: user.id })).toMatchObject({
      assignee_id: user.id,
      version: 3,
    });
    const cleared = await patch({ tags: [], due_date: null, assignee_id: null });
    expect(cleared).toMatchObject({ tags: [], due_date: null, assignee_id: null, version: 4 });
    expect(await json(await call(path), 200)).toEqual(cleared);
  });

  test("invalid updates are 422 and change nothing", async () => {
    const { call, post } = await setup();
    const created = await json(await post({ title: "Keep me" }), 201);
    const path = `${TASKS}/${created.id}`;
    const invalid: [Record<string, unknown>, string][] = [
      [{ title: "   " }, "/title"],
      [{ title: null }, "/title"],
      [{ priority: 9 }, "/priority"],
      [{ due_date: "tomorrow" }, "/due_date"],
      [{ owner_id: 2 }, "/owner_id"],
      [{ version: 5 }, "/version"],
      [{ id: 5 }, "/id"],
      [{ title: "ok", nonsense: true }, "/nonsense"],
    ];
    for (const [body, field] of invalid) {
      await expectInvalid(await call(path, { method: "PATCH", body }), field);
      await expectInvalid(await call(path, { method: "PUT", body }), field);
    }
    expect(await json(await call(path), 200)).toEqual(created);
  });
});

describe("DELETE", () => {
  test("DELETE /tasks/{id} is 204, then the task is gone", async () => {
    const { call, post } = await setup();
    const { id } = await json(await post({ title: "t" }), 201);
    const response = await call(`${TASKS}/${id}`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expectProblem(await call(`${TASKS}/${id}`), 404, "not_found");
    await expectProblem(await call(`${TASKS}/${id}`, { method: "DELETE" }), 404, "not_found");
    await expectProblem(
      await call(`${TASKS}/${id}`, { method: "PATCH", body: { title: "x" } }),
      404,
      "not_found",
    );
  });

  test("DELETE /tasks removes only the caller's personal tasks and counts them", async () => {
    const { ctx, user, call, as } = await setup();
    const other = await createUser(ctx);
    for (let i = 0; i < 3; i += 1) await createTask(ctx, user);
    await createTask(ctx, other, { title: "Theirs" });
    // A card on a shared board (boards have no API yet, so it is inserted directly).
    await ctx.deps.sql.run(
      "INSERT INTO tasks (owner_id, title, board_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
      [user.id, "Card", 7, 0, 0],
    );

    expect(await json(await call(TASKS, { method: "DELETE" }), 200)).toEqual({ deleted: 3 });
    expect(await json(await call(TASKS, { method: "DELETE" }), 200)).toEqual({ deleted: 0 });
    const theirs = await json(await as(other)(TASKS), 200);
    expect(theirs.map((task: { title: string }) => task.title)).toEqual(["Theirs"]);
    const cards = await ctx.deps.sql.all("SELECT title FROM tasks WHERE owner_id = ?", [user.id]);
    expect(cards).toEqual([{ title: "Card" }]);
    await expectProblem(await ctx.request(TASKS, { method: "DELETE" }), 401, "unauthorized_error");
  });
});

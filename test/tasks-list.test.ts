import { describe, expect, test } from "bun:test";
import {
  createTestContext,
  type RequestOptions,
  type TestContext,
  UNTHROTTLED_ENV,
} from "./support/app";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

const TASKS = "/api/v1/tasks";

interface Task {
  id: number;
  title: string;
  description: string;
  completed: boolean;
  due_date: string | null;
  priority: number;
  tags: string[];
  position: number;
  assignee_id: number | null;
  created_at: string;
  updated_at: string;
}

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const call = (path: string, init: RequestOptions = {}) =>
    ctx.request(path, { token: user.accessToken, ...init });
  const make = async (body: Record<string, unknown> = {}) =>
    (await createTask(ctx, user, body)) as unknown as Task;
  return { ctx, user, call, make };
}

/** GET /tasks?query: asserts 200 JSON and returns the tasks and the paging headers. */
async function list(call: (path: string) => Promise<Response>, query = "") {
  const response = await call(`${TASKS}${query ? `?${query}` : ""}`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${query}: ${response.status} ${text}`);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  const tasks = JSON.parse(text) as Task[];
  return {
    tasks,
    ids: tasks.map((task) => task.id),
    titles: tasks.map((task) => task.title),
    total: Number(response.headers.get("x-total-count")),
    links: parseLinks(response.headers.get("link")),
  };
}

/** RFC 8288 Link header → rel → offset (and the full target for other checks). */
function parseLinks(header: string | null): Record<string, URL> {
  const links: Record<string, URL> = {};
  for (const part of header?.split(",") ?? []) {
    const match = /^\s*<([^>]+)>\s*;\s*rel="([^"]+)"\s*$/.exec(part);
    if (!match?.[1] || !match[2]) throw new Error(`bad Link part: ${part}`);
    links[match[2]] = new URL(match[1], "http://localhost");
  }
  return links;
}

const offsets = (links: Record<string, URL>) =>
  Object.fromEntries(
    Object.entries(links).map(([rel, url]) => [rel, Number(url.searchParams.get("offset"))]),
  );

describe("GET /tasks paging", () => {
  test("empty list, then newest first with ties broken by id", async () => {
    const { ctx, call, make } = await setup();
    const empty = await list(call);
    expect(empty.tasks).toEqual([]);
    expect(empty.total).toBe(0);

    const a = await make();
    ctx.clock.advance(1000);
    const b = await make();
    const c = await make(); // same created_at as b
    ctx.clock.advance(1000);
    const d = await make();
    const page = await list(call);
    expect(page.ids).toEqual([d.id, c.id, b.id, a.id]);
    expect(page.total).toBe(4);
  });

  test("limit defaults to 50 and accepts 1–200; offset skips", async () => {
    const { call, make } = await setup();
    const made: Task[] = [];
    for (let i = 0; i < 55; i += 1) made.push(await make());
    const newestFirst = made.map((task) => task.id).reverse();
    const first = await list(call);
    expect(first.ids).toEqual(newestFirst.slice(0, 50));
    expect(first.total).toBe(55);
    expect((await list(call, "limit=1")).ids).toEqual(newestFirst.slice(0, 1));
    expect((await list(call, "limit=200")).ids).toEqual(newestFirst);
    expect((await list(call, "limit=10&offset=50")).ids).toEqual(newestFirst.slice(50));
    const beyond = await list(call, "offset=100");
    expect(beyond.tasks).toEqual([]);
    expect(beyond.total).toBe(55);
  });

  test("invalid limit or offset is 422 naming the parameter", async () => {
    const { call } = await setup();
    const bad: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=abc", "limit"],
      ["limit=-1", "limit"],
      ["limit=1.5", "limit"],
      ["limit=", "limit"],
      ["offset=-1", "offset"],
      ["offset=x", "offset"],
    ];
    for (const [query, name] of bad) {
      const problem = await expectProblem(await call(`${TASKS}?${query}`), 422, "validation_error");
      expect(problem.detail).toContain(name);
      expect(problem.errors).toContainEqual({ path: `/${name}`, message: expect.any(String) });
    }
  });

  test("an unknown query parameter is 422, so a misspelt filter is noticed", async () => {
    const { call } = await setup();
    const problem = await expectProblem(await call(`${TASKS}?prority=1`), 422, "validation_error");
    expect(problem.errors?.[0]?.path).toBe("/prority");
  });

  test("Link has first/prev/next/last with exact offsets and keeps the filters", async () => {
    const { call, make } = await setup();
    for (let i = 0; i < 7; i += 1) await make({ priority: 1 });
    await make({ priority: 2 });
    const page = (offset: number) => list(call, `priority=1&limit=3&offset=${offset}`);

    const at0 = await page(0);
    expect(at0.total).toBe(7);
    expect(offsets(at0.links)).toEqual({ first: 0, next: 3, last: 6 });
    const at3 = await page(3);
    expect(offsets(at3.links)).toEqual({ first: 0, prev: 0, next: 6, last: 6 });
    const at6 = await page(6);
    expect(at6.tasks).toHaveLength(1);
    expect(offsets(at6.links)).toEqual({ first: 0, prev: 3, last: 6 });
    const at1 = await page(1);
    expect(offsets(at1.links)).toEqual({ first: 0, prev: 0, next: 4, last: 6 });
    const past = await page(9);
    expect(offsets(past.links)).toEqual({ first: 0, prev: 6, last: 6 });

    for (const url of Object.values(at3.links)) {
      expect(url.pathname).toBe(TASKS);
      expect(url.searchParams.get("priority")).toBe("1");
      expect(url.searchParams.get("limit")).toBe("3");
    }
    // Following next from the first page walks every task exactly once.
    const seen = [...at0.ids, ...at3.ids, ...at6.ids];
    expect(new Set(seen).size).toBe(7);
  });
});

describe("GET /tasks filters", () => {
  test("completed, priority, tag, and only the caller's tasks", async () => {
    const { ctx, call, make } = await setup();
    const done = await make({ completed: true, priority: 2, tags: ["Home"] });
    const open = await make({ priority: 2, tags: ["work", "urgent"] });
    const low = await make({ priority: 0, tags: ["work"] });
    await createTask(ctx, await createUser(ctx), { priority: 2, tags: ["work"] });

    expect((await list(call)).total).toBe(3);
    expect((await list(call, "completed=true")).ids).toEqual([done.id]);
    expect((await list(call, "completed=false")).ids).toEqual([low.id, open.id]);
    const p2 = await list(call, "priority=2");
    expect(p2.ids).toEqual([open.id, done.id]);
    expect(p2.total).toBe(2);
    expect((await list(call, "tag=work")).ids).toEqual([low.id, open.id]);
    expect((await list(call, "tag=WORK")).ids).toEqual([low.id, open.id]);
    expect((await list(call, "tag=home")).ids).toEqual([done.id]);
    expect((await list(call, "tag=nothing")).ids).toEqual([]);
    expect((await list(call, "tag=work&priority=2&completed=false")).ids).toEqual([open.id]);
  });

  test("due_before and due_after are exclusive and take dates or date-times", async () => {
    const { call, make } = await setup();
    const early = await make({ due_date: "2026-12-01T09:00:00Z" });
    const late = await make({ due_date: "2026-12-03" });
    await make({ due_date: null });
    expect((await list(call, "due_before=2026-12-02")).ids).toEqual([early.id]);
    expect((await list(call, "due_after=2026-12-02")).ids).toEqual([late.id]);
    expect((await list(call, "due_after=2026-12-01T09:00:00Z")).ids).toEqual([late.id]);
    expect((await list(call, "due_before=2026-12-01T09:00:00Z")).ids).toEqual([]);
    const both = "due_after=2026-11-30&due_before=2026-12-31T00:00:00%2B01:00";
    expect((await list(call, both)).ids).toEqual([late.id, early.id]);
  });

  test("overdue=true follows the clock and skips completed and undated tasks", async () => {
    const { ctx, call, make } = await setup();
    const yesterday = await make({ due_date: "2026-11-20T10:00:00Z" });
    await make({ due_date: "2026-11-20T10:00:00Z", completed: true });
    const soon = await make({ due_date: "2026-11-21T10:05:00Z" });
    await make();
    expect((await list(call, "overdue=true")).ids).toEqual([yesterday.id]);
    ctx.clock.advance(5 * 60_000);
    expect((await list(call, "overdue=true")).ids).toEqual([yesterday.id]);
    ctx.clock.advance(1);
    expect((await list(call, "overdue=true")).ids).toEqual([soon.id, yesterday.id]);
    expect((await list(call, "overdue=false")).total).toBe(2);
  });

  test("assignee_id=me and assignee_id={id}", async () => {
    const { call, make, user } = await setup();
    const mine = await make({ assignee_id: user.id });
    await make();
    expect((await list(call, "assignee_id=me")).ids).toEqual([mine.id]);
    expect((await list(call, `assignee_id=${user.id}`)).ids).toEqual([mine.id]);
    expect((await list(call, `assignee_id=${user.id + 1000}`)).ids).toEqual([]);
  });

  test("invalid filter values are 422 naming the parameter", async () => {
    const { call } = await setup();
    for (const query of [
      "completed=yes",
      "priority=5",
      "priority=-1",
      "priority=x",
      "tag=",
      `tag=${"t".repeat(33)}`,
      "due_before=tomorrow",
      "due_before=12/01/2026",
      "due_after=2026-02-30",
      "due_after=2026-13-01",
      "due_after=0000-01-01T00:00:00%2B01:00",
      "overdue=1",
      "assignee_id=0",
      "assignee_id=you",
      "board_id=abc",
      "list_id=0",
    ]) {
      const name = query.split("=")[0] ?? "";
      const problem = await expectProblem(await call(`${TASKS}?${query}`), 422, "validation_error");
      expect(problem.errors?.map((error) => error.path)).toContain(`/${name}`);
    }
  });
});

describe("GET /tasks sort", () => {
  type Key = "created_at" | "updated_at" | "due_date" | "priority" | "title" | "position";
  const KEYS: Key[] = ["created_at", "updated_at", "due_date", "priority", "title", "position"];

  /** The order the contract promises: by the field, missing due dates last, ties by id the same way. */
  function expected(tasks: Task[], key: Key, descending: boolean): number[] {
    const value = (task: Task) => (key === "title" ? task.title.toLowerCase() : task[key]);
    const sign = descending ? -1 : 1;
    return [...tasks]
      .sort((a, b) => {
        if (key === "due_date" && (a.due_date === null) !== (b.due_date === null)) {
          return a.due_date === null ? 1 : -1;
        }
        const [x, y] = [value(a), value(b)];
        if (x !== y) return (x !== null && y !== null && x < y ? -1 : 1) * sign;
        return (a.id - b.id) * sign;
      })
      .map((task) => task.id);
  }

  async function seed(
    ctx: TestContext,
    user: TestUser,
    call: (path: string, init?: RequestOptions) => Promise<Response>,
  ) {
    const specs = [
      { title: "banana", priority: 2, due_date: "2026-12-02", position: 3 },
      { title: "Apple", priority: 1, due_date: null, position: 1 },
      { title: "cherry", priority: 2, due_date: "2026-12-01", position: 3 },
      { title: "apple", priority: 4, due_date: "2026-12-02", position: 2 },
      { title: "Date", priority: 0, due_date: null, position: 5 },
    ];
    for (const [i, spec] of specs.entries()) {
      if (i % 2 === 0) ctx.clock.advance(1000); // pairs share created_at
      await createTask(ctx, user, spec);
    }
    ctx.clock.advance(1000);
    const all = await list(call, "sort=created_at");
    // Touch two tasks so updated_at differs from created_at and has a tie.
    for (const task of [all.tasks[0], all.tasks[3]]) {
      await call(`${TASKS}/${task?.id}`, { method: "PATCH", body: { description: "touched" } });
    }
    return (await list(call)).tasks;
  }

  test("every field sorts ascending and descending with a stable tie-break by id", async () => {
    const { ctx, user, call } = await setup();
    const tasks = await seed(ctx, user, call);
    for (const key of KEYS) {
      expect((await list(call, `sort=${key}`)).ids).toEqual(expected(tasks, key, false));
      expect((await list(call, `sort=-${key}`)).ids).toEqual(expected(tasks, key, true));
    }
    expect((await list(call)).ids).toEqual(expected(tasks, "created_at", true));
    // The same order page by page.
    const paged = [
      ...(await list(call, "sort=priority&limit=2")).ids,
      ...(await list(call, "sort=priority&limit=2&offset=2")).ids,
      ...(await list(call, "sort=priority&limit=2&offset=4")).ids,
    ];
    expect(paged).toEqual(expected(tasks, "priority", false));
  });

  test("an unknown sort is 422 naming sort", async () => {
    const { call } = await setup();
    for (const sort of ["foo", "id", "--title", "+title", "title,priority", ""]) {
      const problem = await expectProblem(
        await call(`${TASKS}?sort=${encodeURIComponent(sort)}`),
        422,
        "validation_error",
      );
      expect(problem.errors?.map((error) => error.path)).toContain("/sort");
    }
  });
});

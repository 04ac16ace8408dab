import type { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { createTestContext, type RequestOptions, UNTHROTTLED_ENV } from "./support/app";
import { onPostgres, sqliteOf } from "./support/dialect";
import { createTask, createUser, expectProblem } from "./support/factories";
import { crowdDatabase, statementsDuring } from "./support/search";

const TASKS = "/api/v1/tasks";

/** The most tasks any test below gives the caller. */
const CALLER_TASKS = 12;

/** Every word the tests search for: in the crowded mode everyone else's tasks hold them all. */
const COMMON_TEXT =
  "plan planning launch eggs milk omega alpha first second cafe café quote this that end " +
  "near title description owner_id internationalisation 日本語 7 12 2026";

interface Task {
  id: number;
  title: string;
  tags: string[];
}

/**
 * Alone, the caller sees every task and a search ranks with SQLite's bm25(). In a crowd, the
 * caller sees a sliver of the tasks and a search ranks with search-rank.ts. Both must behave
 * the same way.
 */
const MODES = [
  { mode: "alone on the server", crowded: false },
  { mode: "among many other users' tasks", crowded: true },
];

async function setup(crowded: boolean) {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const other = crowded
    ? await crowdDatabase(ctx, { callerTasks: CALLER_TASKS, text: `${COMMON_TEXT} ${user.id}` })
    : await createUser(ctx);
  let made = 0;
  const call = (path: string, init: RequestOptions = {}) =>
    ctx.request(path, { token: user.accessToken, ...init });
  const make = async (body: Record<string, unknown> = {}) => {
    made += 1;
    if (made > CALLER_TASKS) throw new Error("raise CALLER_TASKS: the crowd is too small");
    return (await createTask(ctx, user, body)) as unknown as Task;
  };
  const search = async (query: string) => {
    const response = await call(`${TASKS}?${query}`);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${query}: ${response.status} ${text}`);
    const tasks = JSON.parse(text) as Task[];
    return {
      ids: tasks.map((task) => task.id),
      total: Number(response.headers.get("x-total-count")),
    };
  };
  return { ctx, user, other, call, make, search };
}

describe.each(MODES)("GET /tasks?q, $mode", ({ crowded }) => {
  test("matches title and description, best match first, by prefix", async () => {
    const { ctx, make, search } = await setup(crowded);
    // A title hit outranks even a description that repeats the word.
    const inDescription = await make({
      title: "Groceries",
      description: "plan eggs, plan milk, plan",
    });
    const inTitle = await make({ title: "Planning the launch of the new website" });
    await make({ title: "Unrelated", description: "nothing to see" });
    await createTask(ctx, await createUser(ctx), { title: "Their plan" });

    const found = await search("q=plan");
    expect(found.ids).toEqual([inTitle.id, inDescription.id]);
    expect(found.total).toBe(2);
    expect((await search("q=PLANNING%20launch")).ids).toEqual([inTitle.id]);
    expect((await search("q=eggs")).ids).toEqual([inDescription.id]);
    expect((await search("q=plan&sort=title")).ids).toEqual([inDescription.id, inTitle.id]);
    expect((await search("q=plan&limit=1")).total).toBe(2);
    expect((await search("q=cafe")).ids).toEqual([]);
    const cafe = await make({ title: "Café opening" });
    expect((await search("q=cafe")).ids).toEqual([cafe.id]);
    expect((await search("q=CAFÉ")).ids).toEqual([cafe.id]);
  });

  test("more occurrences and shorter texts rank higher; ties go to the newer task", async () => {
    const { make, search } = await setup(crowded);
    const short = await make({ title: "omega" });
    const tie = await make({ title: "omega" });
    const twice = await make({ title: "omega omega", description: "a long description" });
    // The newest, so only its length puts it last.
    const once = await make({ title: "omega", description: "a long description ".repeat(8) });
    expect((await search("q=omega")).ids).toEqual([twice.id, tie.id, short.id, once.id]);
  });

  test("every word must match; the words count by how rare they are", async () => {
    const { make, search } = await setup(crowded);
    // Enough tasks without either word that both words are rarer than one task in two.
    for (let i = 0; i < 6; i++) await make({ title: `filler ${i}` });
    const both = await make({ title: "alpha quote", description: "nothing else" });
    await make({ title: "alpha only" });
    await make({ title: "alpha too" });
    const rareInTitle = await make({ title: "quote", description: "alpha" });
    const commonInTitle = await make({ title: "alpha", description: "quote" });
    const found = await search("q=quote%20alpha");
    expect(found.ids).toEqual([both.id, rareInTitle.id, commonInTitle.id]);
    expect(found.total).toBe(3);
    expect((await search("q=quote%20alpha%20missing")).ids).toEqual([]);
  });

  test("pages, filters and sorts apply to the matches", async () => {
    const { call, make, search } = await setup(crowded);
    const tasks: Task[] = [];
    for (let i = 0; i < 5; i++) {
      tasks.push(await make({ title: `launch ${i}`, priority: i, tags: i % 2 ? ["odd"] : [] }));
    }
    const ids = tasks.map((task) => task.id);
    const newestFirst = [...ids].reverse();
    expect(await search("q=launch&limit=2")).toEqual({ ids: newestFirst.slice(0, 2), total: 5 });
    expect(await search("q=launch&limit=2&offset=4")).toEqual({
      ids: newestFirst.slice(4),
      total: 5,
    });
    expect(await search("q=launch&offset=9")).toEqual({ ids: [], total: 5 });
    expect(await search("q=launch&sort=priority&offset=9")).toEqual({ ids: [], total: 5 });
    expect((await search("q=launch&tag=odd")).ids).toEqual([ids[3], ids[1]] as number[]);
    expect((await search("q=launch&priority=2")).ids).toEqual([ids[2]] as number[]);
    expect((await search("q=launch&sort=-priority&limit=2")).ids).toEqual(newestFirst.slice(0, 2));
    await call(`${TASKS}/${ids[0]}`, { method: "PATCH", body: { completed: true } });
    expect((await search("q=launch&completed=true")).ids).toEqual([ids[0]] as number[]);
    expect((await search("q=launch&completed=false")).total).toBe(4);
  });

  test("updates are re-indexed and deleted tasks disappear", async () => {
    const { call, make, search } = await setup(crowded);
    const task = await make({ title: "alpha", description: "first" });
    await call(`${TASKS}/${task.id}`, {
      method: "PATCH",
      body: { title: "omega", description: "second" },
    });
    expect((await search("q=alpha")).ids).toEqual([]);
    expect((await search("q=first")).ids).toEqual([]);
    expect((await search("q=omega")).ids).toEqual([task.id]);
    expect((await search("q=second")).ids).toEqual([task.id]);
    await call(`${TASKS}/${task.id}`, { method: "DELETE" });
    expect((await search("q=omega")).ids).toEqual([]);
    const bulk = await make({ title: "omega again" });
    expect((await search("q=omega")).ids).toEqual([bulk.id]);
    await call(TASKS, { method: "DELETE" });
    expect((await search("q=omega")).total).toBe(0);
  });

  test("user ids are not words: typing one finds only tasks whose text holds it", async () => {
    const { user, other, make, search } = await setup(crowded);
    await make({ title: "no number here" });
    const mentionsMe = await make({ title: `ticket ${user.id}` });
    const mentionsOther = await make({ title: `ticket ${other.id}` });
    expect((await search(`q=${user.id}`)).ids).toEqual([mentionsMe.id]);
    expect((await search(`q=${other.id}`)).ids).toEqual([mentionsOther.id]);
    for (const q of [`owner_id:${user.id}`, `{owner_id}:${other.id}`, `owner_id : "${other.id}"`]) {
      const found = await search(`q=${encodeURIComponent(q)}`);
      // The column name is a word like any other, and no task's text holds "owner_id".
      expect(found.ids).toEqual([]);
    }
  });

  test("words are matched on their first eight characters", async () => {
    const { make, search } = await setup(crowded);
    const long = await make({ title: "Internationalisation of the site" });
    const short = await make({ title: "An intern starts" });
    for (const q of ["internationally", "INTERNATIONAL", "internat", "internationalisation"]) {
      expect((await search(`q=${q}`)).ids).toEqual([long.id]);
    }
    expect((await search("q=intern")).ids).toEqual([short.id, long.id]);
    // Past eight characters a word no longer narrows the match.
    expect((await search("q=internatx")).ids).toEqual([long.id]);
    expect((await search("q=internax")).ids).toEqual([]);
  });

  test("hostile input is 200 or 422, never 500", async () => {
    const { call, make, search } = await setup(crowded);
    await make({ title: 'quote "this" OR that', description: "NEAR the -end* of it" });
    const inputs = [
      "'",
      '"',
      '""',
      "*",
      "plan*",
      "OR",
      "a OR b",
      "NEAR(",
      "NEAR(a b, 2)",
      "NEAR(this that)",
      "-",
      "-end",
      "^x",
      "title:quote",
      "{title description}: quote",
      "description:NEAR",
      "(",
      ")",
      "{x}",
      "a AND NOT b",
      "\u0000",
      "x\u0000y",
      "%",
      "_",
      "\u0301",
      "é̃",
      "😀",
      "日本語",
      "x".repeat(1000),
      "word ".repeat(200),
    ];
    for (const q of inputs) {
      const response = await call(`${TASKS}?q=${encodeURIComponent(q)}`);
      expect([200, 422]).toContain(response.status);
      const type = response.status === 200 ? "application/json" : "application/problem+json";
      expect(response.headers.get("content-type")).toStartWith(type);
      expect(Array.isArray(await response.json()) || response.status === 422).toBe(true);
    }
    expect((await search(`q=${encodeURIComponent('"this" OR')}`)).total).toBe(1);
    expect((await search("q=-end")).total).toBe(1);
    expect((await search(`q=${encodeURIComponent("NEAR(this that)")}`)).total).toBe(1);
    expect((await search(`q=${encodeURIComponent("title:quote")}`)).total).toBe(0);
    await expectProblem(await call(`${TASKS}?q=${"x".repeat(1001)}`), 422, "validation_error");
  });

  test("a query with no words is an empty list", async () => {
    const { make, search } = await setup(crowded);
    await make({ title: "something" });
    for (const q of ["!!!", "   ", '""', "***", "-", "_", "\u0301"]) {
      expect(await search(`q=${encodeURIComponent(q)}`)).toEqual({ ids: [], total: 0 });
    }
  });
});

// SQLite by nature: which FTS5 statements (bm25, highlight, MATCH) run. PostgreSQL ranks with the
// same BM25 from its tsvector (search-rank-postgres.ts), which the tests above hold.
describe.skipIf(onPostgres)("GET /tasks?q ranking", () => {
  test("ranks with its own BM25 in a crowd and with SQLite's bm25() alone", async () => {
    for (const { crowded } of MODES) {
      const { ctx, make, call } = await setup(crowded);
      await make({ title: "plan" });
      const statements = await statementsDuring(ctx, () => call(`${TASKS}?q=plan`));
      expect(statements.some((text) => text.includes("bm25("))).toBe(!crowded);
      expect(statements.some((text) => text.includes("highlight("))).toBe(crowded);
    }
  });

  test("in a crowd, others' tasks are never walked: no statement matches without visibility", async () => {
    const { ctx, user, make, call } = await setup(true);
    await make({ title: "plan" });
    const matches: string[] = [];
    const original = sqliteOf(ctx.deps).query.bind(sqliteOf(ctx.deps));
    sqliteOf(ctx.deps).query = ((text: string) => {
      const statement = original(text);
      if (!text.includes("MATCH ?")) return statement;
      const all = statement.all.bind(statement);
      statement.all = ((...params: unknown[]) => {
        matches.push(String(params[0]));
        return all(...(params as []));
      }) as typeof statement.all;
      return statement;
    }) as typeof Database.prototype.query;
    await call(`${TASKS}?q=plan%20launch`);
    await call(`${TASKS}?q=plan&sort=title`);
    sqliteOf(ctx.deps).query = original as typeof Database.prototype.query;
    expect(matches.length).toBeGreaterThan(1);
    for (const match of matches) expect(match).toStartWith(`(owner_id : "${user.id}") AND `);
  });
});

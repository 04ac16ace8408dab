import { describe, expect, test } from "bun:test";
import { expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

/** GET /tasks: personal tasks plus the cards of every board the caller belongs to. */

/** Many tasks of one owner, straight in the database in one statement: through HTTP, seconds. */
async function insertTasksOf(ctx: TestContext, ownerId: number, count: number) {
  const titles = Array.from({ length: count }, (_, i) => `carol's plan number ${i}`);
  await ctx.deps.sql.run(
    `INSERT INTO tasks (owner_id, title, created_at, updated_at) VALUES ${titles.map(() => "(?, ?, 0, 0)").join(", ")}`,
    titles.flatMap((title) => [ownerId, title]),
  );
}

async function titles(ctx: TestContext, user: TestUser, query = "") {
  const response = await ctx.request(`/api/v1/tasks${query ? `?${query}` : ""}`, {
    token: user.accessToken,
  });
  const tasks = await expectJsonBody<{ title: string }[]>(response);
  return {
    titles: tasks.map((task) => task.title).sort(),
    total: response.headers.get("x-total-count"),
  };
}

async function world() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  const carol = await createUser(ctx);
  const shared = await createBoard(ctx, alice, { name: "Shared" });
  await putMember(ctx, shared.id, bob, "viewer");
  const todo = await createList(ctx, alice, shared.id, { name: "Todo" });
  const done = await createList(ctx, alice, shared.id, { name: "Done" });
  const secret = await createBoard(ctx, carol, { name: "Carol's" });
  const carolList = await createList(ctx, carol, secret.id);

  await createTask(ctx, alice, { title: "alice personal plan" });
  await createTask(ctx, bob, { title: "bob personal plan", priority: 2 });
  await createTask(ctx, carol, { title: "carol personal plan" });
  await createCard(ctx, alice, todo.id, { title: "shared plan todo", assignee_id: bob.id });
  await createCard(ctx, alice, done.id, {
    title: "shared plan done",
    completed: true,
    priority: 2,
  });
  await createCard(ctx, carol, carolList.id, { title: "carol board plan" });
  return { ctx, alice, bob, carol, shared, todo, done, secret };
}

describe("GET /tasks sees personal tasks and member boards' cards", () => {
  test("each user sees exactly their own tasks and their boards' cards", async () => {
    const { ctx, alice, bob, carol } = await world();
    expect(await titles(ctx, bob)).toEqual({
      titles: ["bob personal plan", "shared plan done", "shared plan todo"],
      total: "3",
    });
    expect((await titles(ctx, alice)).titles).toEqual([
      "alice personal plan",
      "shared plan done",
      "shared plan todo",
    ]);
    expect((await titles(ctx, carol)).titles).toEqual(["carol board plan", "carol personal plan"]);
  });

  test("board_id, list_id and assignee_id filter within what the caller may see", async () => {
    const { ctx, bob, shared, todo, secret } = await world();
    expect((await titles(ctx, bob, `board_id=${shared.id}`)).titles).toEqual([
      "shared plan done",
      "shared plan todo",
    ]);
    expect((await titles(ctx, bob, `list_id=${todo.id}`)).titles).toEqual(["shared plan todo"]);
    expect((await titles(ctx, bob, "assignee_id=me")).titles).toEqual(["shared plan todo"]);
    expect((await titles(ctx, bob, `assignee_id=${bob.id}&board_id=${shared.id}`)).titles).toEqual([
      "shared plan todo",
    ]);
    // A board the caller is not on filters to nothing, exactly like one that does not exist.
    expect(await titles(ctx, bob, `board_id=${secret.id}`)).toEqual({ titles: [], total: "0" });
    expect(await titles(ctx, bob, "board_id=999999")).toEqual({ titles: [], total: "0" });
    expect((await titles(ctx, bob, "priority=2")).titles).toEqual([
      "bob personal plan",
      "shared plan done",
    ]);
    expect((await titles(ctx, bob, `completed=true&board_id=${shared.id}`)).titles).toEqual([
      "shared plan done",
    ]);
    await expectProblem(
      await ctx.request("/api/v1/tasks?board_id=abc", { token: bob.accessToken }),
      422,
      "validation_error",
    );
  });

  test("q searches cards of member boards too, never other boards'", async () => {
    const { ctx, bob, carol } = await world();
    expect((await titles(ctx, bob, "q=plan")).titles).toEqual([
      "bob personal plan",
      "shared plan done",
      "shared plan todo",
    ]);
    expect((await titles(ctx, bob, "q=carol")).titles).toEqual([]);
    expect((await titles(ctx, carol, "q=shared")).titles).toEqual([]);
    expect((await titles(ctx, bob, "q=plan&sort=title&limit=1")).total).toBe("3");
  });

  test("q among many other people's tasks: the index walk covers the caller's boards", async () => {
    // With few of all tasks visible, a search matches the caller's visibility inside the index
    // (owner_id and board_id); the boards' cards must be found there too.
    const { ctx, alice, bob, carol } = await world();
    await insertTasksOf(ctx, carol.id, 700);
    expect((await titles(ctx, bob, "q=plan")).titles).toEqual([
      "bob personal plan",
      "shared plan done",
      "shared plan todo",
    ]);
    expect((await titles(ctx, alice, "q=shared")).titles).toEqual([
      "shared plan done",
      "shared plan todo",
    ]);
    expect((await titles(ctx, bob, "q=plan&sort=title")).total).toBe("3");
  });

  test("q never finds cards the caller made on a board they left, whichever ranking runs", async () => {
    // The index's visibility filter matches the caller's own cards by owner_id; the SQL must
    // still drop those on boards the caller has left, on both ranking paths and with a filter.
    const { ctx, alice, bob, carol, shared, todo } = await world();
    const promote = await ctx.request(`/api/v1/boards/${shared.id}/members/${bob.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { role: "editor" },
    });
    expect(promote.status).toBe(200);
    await createCard(ctx, bob, todo.id, { title: "bob's plan on the shared board" });
    const leave = await ctx.request(`/api/v1/boards/${shared.id}/members/${bob.id}`, {
      method: "DELETE",
      token: bob.accessToken,
    });
    expect(leave.status).toBe(204);
    const alone = { titles: ["bob personal plan"], total: "1" };
    expect(await titles(ctx, bob, "q=plan")).toEqual(alone);
    expect(await titles(ctx, bob, "q=plan&sort=title")).toEqual(alone);
    expect(await titles(ctx, bob, `q=plan&board_id=${shared.id}`)).toEqual({
      titles: [],
      total: "0",
    });

    await insertTasksOf(ctx, carol.id, 700);
    expect(await titles(ctx, bob, "q=plan")).toEqual(alone);
    expect(await titles(ctx, bob, "q=plan&sort=title")).toEqual(alone);
    expect(await titles(ctx, bob, `q=plan&board_id=${shared.id}`)).toEqual({
      titles: [],
      total: "0",
    });
    expect(await titles(ctx, bob, `q=plan&list_id=${todo.id}`)).toEqual({ titles: [], total: "0" });
    // The card stays on the board for its members.
    expect((await titles(ctx, alice, "q=bob")).titles).toEqual(["bob's plan on the shared board"]);
  });

  test("leaving a board takes its cards out of the list at once", async () => {
    const { ctx, bob, shared } = await world();
    await ctx.request(`/api/v1/boards/${shared.id}/members/${bob.id}`, {
      method: "DELETE",
      token: bob.accessToken,
    });
    expect((await titles(ctx, bob)).titles).toEqual(["bob personal plan"]);
  });
});

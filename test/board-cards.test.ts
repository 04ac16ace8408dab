import { describe, expect, test } from "bun:test";
import { countRows, expectJsonBody } from "./support/accounts";
import { createTestContext, UNTHROTTLED_ENV } from "./support/app";
import {
  type CardJson,
  createBoard,
  createCard,
  createList,
  getBoard,
  layoutOf,
  moveCard,
  putMember,
} from "./support/boards";
import { onPostgres, sqliteOf } from "./support/dialect";
import { createTask, createUser, expectProblem } from "./support/factories";

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  const board = await createBoard(ctx, alice);
  await putMember(ctx, board.id, bob, "editor");
  const todo = await createList(ctx, alice, board.id, { name: "Todo" });
  const done = await createList(ctx, alice, board.id, { name: "Done" });
  return { ctx, alice, bob, board, todo, done };
}

describe("creating cards (POST /tasks with list_id)", () => {
  test("a card lands on the list's board, appended or at position; 201 with Location", async () => {
    const { ctx, bob, board, todo } = await setup();
    const response = await ctx.request("/api/v1/tasks", {
      token: bob.accessToken,
      body: { title: "First", list_id: todo.id },
    });
    const first = await expectJsonBody<CardJson>(response, 201);
    expect(first).toMatchObject({ board_id: board.id, list_id: todo.id, position: 0 });
    expect(response.headers.get("location")).toBe(`/api/v1/tasks/${first.id}`);
    await createCard(ctx, bob, todo.id, { title: "Last" });
    await createCard(ctx, bob, todo.id, { title: "Middle", position: 1 });
    await createCard(ctx, bob, todo.id, { title: "Top", position: -5 });
    await createCard(ctx, bob, todo.id, { title: "Bottom", position: 1e9 });
    expect(layoutOf(await getBoard(ctx, bob, board.id)).Todo).toEqual([
      "Top",
      "First",
      "Middle",
      "Last",
      "Bottom",
    ]);
  });

  test("the assignee must be a board member; unknown or hidden lists are 422 on list_id", async () => {
    const { ctx, alice, bob, todo } = await setup();
    const carol = await createUser(ctx);
    const assigned = await createCard(ctx, alice, todo.id, { assignee_id: bob.id });
    expect(assigned.assignee_id).toBe(bob.id);
    const post = (body: Record<string, unknown>) =>
      ctx.request("/api/v1/tasks", { token: alice.accessToken, body: { title: "x", ...body } });
    const notMember = await expectProblem(
      await post({ list_id: todo.id, assignee_id: carol.id }),
      422,
      "validation_error",
    );
    expect(notMember.errors).toEqual([
      { path: "/assignee_id", message: "Must be a member of the board" },
    ]);
    await expectProblem(
      await post({ list_id: todo.id, assignee_id: 999999 }),
      422,
      "validation_error",
    );
    await expectProblem(await post({ list_id: todo.id, position: 0.5 }), 422, "validation_error");
    const missing = await expectProblem(await post({ list_id: 999999 }), 422, "validation_error");
    expect(missing.errors).toEqual([{ path: "/list_id", message: "No such list" }]);
    const hidden = await ctx.request("/api/v1/tasks", {
      token: carol.accessToken,
      body: { title: "x", list_id: todo.id },
    });
    expect((await expectProblem(hidden, 422, "validation_error")).errors).toEqual(missing.errors);
    // A personal task still takes only its owner as assignee.
    await expectProblem(await post({ assignee_id: bob.id }), 422, "validation_error");
    expect(await countRows(ctx, "tasks", "list_id = ?", todo.id)).toBe(1);
  });
});

describe("moving cards (PATCH /tasks/{id} with list_id and/or position)", () => {
  test("within a list and between lists, the lists stay dense", async () => {
    const { ctx, alice, bob, board, todo, done } = await setup();
    const cards: CardJson[] = [];
    for (const title of ["a", "b", "c", "d"])
      cards.push(await createCard(ctx, bob, todo.id, { title }));
    const [a, b, c, d] = cards as [CardJson, CardJson, CardJson, CardJson];
    const layout = async () => layoutOf(await getBoard(ctx, alice, board.id));

    const down = await moveCard(ctx, bob, a.id, { position: 2 });
    expect(await expectJsonBody(down)).toMatchObject({ position: 2, list_id: todo.id });
    expect(await layout()).toEqual({ Todo: ["b", "c", "a", "d"], Done: [] });
    await moveCard(ctx, bob, d.id, { position: 0 });
    expect(await layout()).toEqual({ Todo: ["d", "b", "c", "a"], Done: [] });
    await moveCard(ctx, bob, b.id, { list_id: done.id });
    expect(await layout()).toEqual({ Todo: ["d", "c", "a"], Done: ["b"] });
    await moveCard(ctx, alice, c.id, { list_id: done.id, position: 0 });
    expect(await layout()).toEqual({ Todo: ["d", "a"], Done: ["c", "b"] });
    await moveCard(ctx, alice, d.id, { list_id: todo.id, position: 50 });
    expect(await layout()).toEqual({ Todo: ["a", "d"], Done: ["c", "b"] });
    // Moving to where it is already changes nothing, not even its version.
    const before = (await getBoard(ctx, alice, board.id)).lists[0]?.cards[1];
    const still = await moveCard(ctx, alice, d.id, { list_id: todo.id, position: 1 });
    expect(await expectJsonBody(still)).toEqual(before as Record<string, unknown>);
  });

  // SQLite by nature: the statements are counted on the SQLite connection.
  test.skipIf(onPostgres)(
    "a move between lists of one board reads the caller's membership once",
    async () => {
      const { ctx, bob, todo, done } = await setup();
      const card = await createCard(ctx, bob, todo.id, { title: "c" });
      const lookups: string[] = [];
      const query = sqliteOf(ctx.deps).query.bind(sqliteOf(ctx.deps));
      sqliteOf(ctx.deps).query = ((text: string) => {
        if (/FROM board_members WHERE user_id = \? AND board_id = \?/.test(text))
          lookups.push(text);
        return query(text);
      }) as typeof query;
      const moved = await moveCard(ctx, bob, card.id, { list_id: done.id });
      sqliteOf(ctx.deps).query = query;
      expect(await expectJsonBody(moved)).toMatchObject({ list_id: done.id, position: 0 });
      expect(lookups).toHaveLength(1);
    },
  );

  test("siblings that shift get a new version, so their ETags stay truthful", async () => {
    const { ctx, bob, todo } = await setup();
    const a = await createCard(ctx, bob, todo.id, { title: "a" });
    const b = await createCard(ctx, bob, todo.id, { title: "b" });
    const etag = (
      await ctx.request(`/api/v1/tasks/${b.id}`, { token: bob.accessToken })
    ).headers.get("etag");
    await moveCard(ctx, bob, a.id, { position: 1 });
    const after = await ctx.request(`/api/v1/tasks/${b.id}`, {
      token: bob.accessToken,
      headers: { "if-none-match": etag ?? "" },
    });
    expect(after.status).toBe(200);
    expect(await expectJsonBody(after)).toMatchObject({ position: 0 });
  });

  test("to another board where the caller edits both; the assignee goes if not a member there", async () => {
    const { ctx, alice, bob, board, todo } = await setup();
    const other = await createBoard(ctx, bob, { name: "Bob's" });
    const inbox = await createList(ctx, bob, other.id, { name: "Inbox" });
    await createCard(ctx, bob, inbox.id, { title: "already there" });
    const card = await createCard(ctx, alice, todo.id, { title: "travels", assignee_id: alice.id });
    await createCard(ctx, alice, todo.id, { title: "stays" });

    // Alice is not on Bob's board: the list is not hers to see.
    await expectProblem(
      await moveCard(ctx, alice, card.id, { list_id: inbox.id }),
      422,
      "validation_error",
    );
    await putMember(ctx, other.id, alice, "viewer");
    await expectProblem(
      await moveCard(ctx, alice, card.id, { list_id: inbox.id }),
      403,
      "forbidden_access",
    );
    // Bob edits both boards.
    const moved = await moveCard(ctx, bob, card.id, { list_id: inbox.id, position: 0 });
    expect(await expectJsonBody(moved)).toMatchObject({
      board_id: other.id,
      list_id: inbox.id,
      position: 0,
      assignee_id: alice.id,
    });
    expect(layoutOf(await getBoard(ctx, bob, other.id)).Inbox).toEqual([
      "travels",
      "already there",
    ]);
    expect(layoutOf(await getBoard(ctx, bob, board.id)).Todo).toEqual(["stays"]);

    // Back again, carrying an assignee who is not on the first board: the assignment goes.
    const carol = await createUser(ctx);
    await putMember(ctx, other.id, carol, "viewer");
    await ctx.request(`/api/v1/tasks/${card.id}`, {
      method: "PATCH",
      token: bob.accessToken,
      body: { assignee_id: carol.id },
    });
    const back = await moveCard(ctx, bob, card.id, { list_id: todo.id });
    expect(await expectJsonBody(back)).toMatchObject({ board_id: board.id, assignee_id: null });
  });

  test("a personal task moves onto a board by its owner; a card never becomes personal", async () => {
    const { ctx, alice, bob, board, todo } = await setup();
    const personal = await createTask(ctx, alice, { title: "mine", position: 42.5 });
    await createCard(ctx, bob, todo.id, { title: "card" });
    // Bob cannot see Alice's personal task at all.
    await expectProblem(
      await moveCard(ctx, bob, personal.id, { list_id: todo.id }),
      404,
      "not_found",
    );
    const moved = await moveCard(ctx, alice, personal.id, { list_id: todo.id, position: 0 });
    expect(await expectJsonBody(moved)).toMatchObject({
      board_id: board.id,
      list_id: todo.id,
      position: 0,
      owner_id: alice.id,
    });
    expect(layoutOf(await getBoard(ctx, bob, board.id)).Todo).toEqual(["mine", "card"]);
    const back = await ctx.request(`/api/v1/tasks/${personal.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { list_id: null },
    });
    const problem = await expectProblem(back, 422, "validation_error");
    expect(problem.errors?.[0]?.path).toBe("/list_id");
    await expectProblem(
      await moveCard(ctx, alice, personal.id, { position: 1.5 }),
      422,
      "validation_error",
    );
    // A personal task keeps any position it is given, and list_id null changes nothing.
    const other = await createTask(ctx, alice, { title: "other" });
    const kept = await ctx.request(`/api/v1/tasks/${other.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { list_id: null, position: 7.25 },
    });
    expect(await expectJsonBody(kept)).toMatchObject({ list_id: null, position: 7.25 });
  });

  test("a stale If-Match moves nothing (412)", async () => {
    const { ctx, bob, board, todo, done } = await setup();
    const card = await createCard(ctx, bob, todo.id, { title: "c" });
    await ctx.request(`/api/v1/tasks/${card.id}`, {
      method: "PATCH",
      token: bob.accessToken,
      body: { priority: 2 },
    });
    const stale = await ctx.request(`/api/v1/tasks/${card.id}`, {
      method: "PATCH",
      token: bob.accessToken,
      headers: { "if-match": `"${card.id}.${card.version}"` },
      body: { list_id: done.id },
    });
    await expectProblem(stale, 412, "precondition_failed");
    expect(layoutOf(await getBoard(ctx, bob, board.id))).toEqual({ Todo: ["c"], Done: [] });
  });
});

describe("deleting cards", () => {
  test("DELETE /tasks/{id} closes the gap; DELETE /tasks leaves every card alone", async () => {
    const { ctx, alice, bob, board, todo } = await setup();
    const a = await createCard(ctx, alice, todo.id, { title: "a" });
    await createCard(ctx, alice, todo.id, { title: "b" });
    await createCard(ctx, bob, todo.id, { title: "c" });
    await createTask(ctx, alice, { title: "personal" });
    expect(
      (await ctx.request(`/api/v1/tasks/${a.id}`, { method: "DELETE", token: bob.accessToken }))
        .status,
    ).toBe(204);
    expect(layoutOf(await getBoard(ctx, alice, board.id)).Todo).toEqual(["b", "c"]);
    const bulk = await ctx.request("/api/v1/tasks", { method: "DELETE", token: alice.accessToken });
    expect(await expectJsonBody(bulk)).toEqual({ deleted: 1 });
    expect(layoutOf(await getBoard(ctx, alice, board.id)).Todo).toEqual(["b", "c"]);
  });
});

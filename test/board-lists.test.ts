import { describe, expect, test } from "bun:test";
import { countRows, expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import {
  createBoard,
  createCard,
  createList,
  getBoard,
  type ListJson,
  layoutOf,
  putMember,
} from "./support/boards";
import { createUser, expectProblem, type TestUser } from "./support/factories";

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const board = await createBoard(ctx, alice);
  return { ctx, alice, board };
}

function patchList(ctx: TestContext, user: TestUser, id: number, body: unknown) {
  return ctx.request(`/api/v1/lists/${id}`, { method: "PATCH", token: user.accessToken, body });
}

async function names(ctx: TestContext, user: TestUser, boardId: number) {
  return Object.keys(layoutOf(await getBoard(ctx, user, boardId)));
}

describe("POST /boards/{id}/lists", () => {
  test("appends, or inserts at position (clamped), renumbering the rest", async () => {
    const { ctx, alice, board } = await setup();
    const response = await ctx.request(`/api/v1/boards/${board.id}/lists`, {
      token: alice.accessToken,
      body: { name: "  B  " },
    });
    const b = await expectJsonBody<ListJson>(response, 201);
    expect(b).toMatchObject({ board_id: board.id, name: "B", position: 0 });
    expect(response.headers.get("location")).toBe(`/api/v1/lists/${b.id}`);
    expect((await createList(ctx, alice, board.id, { name: "D" })).position).toBe(1);
    expect((await createList(ctx, alice, board.id, { name: "A", position: 0 })).position).toBe(0);
    expect((await createList(ctx, alice, board.id, { name: "C", position: 2 })).position).toBe(2);
    expect((await createList(ctx, alice, board.id, { name: "E", position: 99 })).position).toBe(4);
    expect(await names(ctx, alice, board.id)).toEqual(["A", "B", "C", "D", "E"]);
    const read = await ctx.request(`/api/v1/lists/${b.id}`, { token: alice.accessToken });
    expect(await expectJsonBody(read)).toMatchObject({ id: b.id, name: "B", position: 1 });
  });

  test("bad input is 422 and adds nothing", async () => {
    const { ctx, alice, board } = await setup();
    for (const body of [
      {},
      { name: "" },
      { name: "  " },
      { name: "x".repeat(101) },
      { name: "ok", position: -1 },
      { name: "ok", position: 1.5 },
      { name: "ok", position: "1" },
      { name: "ok", board_id: board.id },
    ]) {
      const response = await ctx.request(`/api/v1/boards/${board.id}/lists`, {
        token: alice.accessToken,
        body,
      });
      await expectProblem(response, 422, "validation_error");
    }
    expect(await countRows(ctx, "lists", "1 = 1")).toBe(0);
  });
});

describe("PATCH /lists/{id}", () => {
  test("renames and moves; the lists in between move along, positions stay dense", async () => {
    const { ctx, alice, board } = await setup();
    const lists: ListJson[] = [];
    for (const name of ["A", "B", "C", "D"])
      lists.push(await createList(ctx, alice, board.id, { name }));
    const [a, , c, d] = lists as [ListJson, ListJson, ListJson, ListJson];

    const moved = await patchList(ctx, alice, a.id, { position: 2 });
    expect(await expectJsonBody(moved)).toMatchObject({ name: "A", position: 2 });
    expect(await names(ctx, alice, board.id)).toEqual(["B", "C", "A", "D"]);
    await patchList(ctx, alice, d.id, { position: 0, name: "Dee" });
    expect(await names(ctx, alice, board.id)).toEqual(["Dee", "B", "C", "A"]);
    await patchList(ctx, alice, c.id, { position: 1000 });
    expect(await names(ctx, alice, board.id)).toEqual(["Dee", "B", "A", "C"]);
    const same = await patchList(ctx, alice, c.id, { position: 3, name: "C" });
    expect(await expectJsonBody(same)).toMatchObject({ position: 3, name: "C" });
    for (const body of [
      { name: "" },
      { name: "   " },
      { position: -2 },
      { board_id: 2 },
      { x: 1 },
    ]) {
      await expectProblem(await patchList(ctx, alice, c.id, body), 422, "validation_error");
    }
  });

  test("unknown and hidden lists are both 404 alike", async () => {
    const { ctx, alice, board } = await setup();
    const bob = await createUser(ctx);
    const list = await createList(ctx, alice, board.id);
    const hidden = await expectProblem(
      await patchList(ctx, bob, list.id, { name: "x" }),
      404,
      "not_found",
    );
    const missing = await expectProblem(
      await patchList(ctx, bob, 987654, { name: "x" }),
      404,
      "not_found",
    );
    expect(hidden.detail).toBe(missing.detail);
    await expectProblem(
      await ctx.request(`/api/v1/lists/${list.id}`, { token: bob.accessToken }),
      404,
      "not_found",
    );
  });
});

describe("DELETE /lists/{id}", () => {
  test("409 while it holds cards; cascade=true deletes them; the rest close up", async () => {
    const { ctx, alice, board } = await setup();
    const bob = await createUser(ctx);
    await putMember(ctx, board.id, bob, "editor");
    const a = await createList(ctx, alice, board.id, { name: "A" });
    const b = await createList(ctx, alice, board.id, { name: "B" });
    await createList(ctx, alice, board.id, { name: "C" });
    const card = await createCard(ctx, bob, b.id, { tags: ["t"] });
    await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
      token: bob.accessToken,
      body: { body: "note" },
    });
    const del = (id: number, query = "") =>
      ctx.request(`/api/v1/lists/${id}${query}`, { method: "DELETE", token: bob.accessToken });

    const refused = await expectProblem(await del(b.id), 409, "conflict");
    expect(refused.detail).toContain("cascade=true");
    await expectProblem(await del(b.id, "?cascade=false"), 409, "conflict");
    await expectProblem(await del(b.id, "?cascade=yes"), 422, "validation_error");
    await expectProblem(await del(b.id, "?force=true"), 422, "validation_error");
    expect(await names(ctx, alice, board.id)).toEqual(["A", "B", "C"]);

    expect((await del(b.id, "?cascade=true")).status).toBe(204);
    expect(await names(ctx, alice, board.id)).toEqual(["A", "C"]);
    expect(await countRows(ctx, "tasks", "id = ?", card.id)).toBe(0);
    expect(await countRows(ctx, "comments", "task_id = ?", card.id)).toBe(0);
    expect(await countRows(ctx, "task_tags", "task_id = ?", card.id)).toBe(0);

    expect((await del(a.id)).status).toBe(204);
    const detail = await getBoard(ctx, alice, board.id);
    expect(detail.lists.map((list) => [list.name, list.position])).toEqual([["C", 0]]);
    await expectProblem(await del(a.id), 404, "not_found");
  });
});

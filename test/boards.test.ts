import { describe, expect, test } from "bun:test";
import { countRows, expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import {
  type BoardJson,
  createBoard,
  createCard,
  createList,
  getBoard,
  layoutOf,
  putMember,
} from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  return { ctx, alice: await createUser(ctx), bob: await createUser(ctx) };
}

function patchBoard(
  ctx: TestContext,
  user: TestUser,
  id: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return ctx.request(`/api/v1/boards/${id}`, {
    method: "PATCH",
    token: user.accessToken,
    body,
    headers,
  });
}

describe("POST /boards", () => {
  test("201 with Location and ETag; the creator is its owner and only member", async () => {
    const { ctx, alice } = await setup();
    const response = await ctx.request("/api/v1/boards", {
      token: alice.accessToken,
      body: { name: "  Launch  ", description: "  Keep the spaces  " },
    });
    const board = await expectJsonBody<BoardJson>(response, 201);
    expect(board).toMatchObject({
      name: "Launch",
      description: "  Keep the spaces  ",
      owner_id: alice.id,
      role: "owner",
      version: 1,
    });
    expect(response.headers.get("location")).toBe(`/api/v1/boards/${board.id}`);
    expect(response.headers.get("etag")).toBe(`"b${board.id}.1"`);
    const detail = await getBoard(ctx, alice, board.id);
    expect(detail.lists).toEqual([]);
    expect(detail.members.map((member) => [member.user_id, member.role])).toEqual([
      [alice.id, "owner"],
    ]);
  });

  test("bad input is 422 naming the field, and creates nothing", async () => {
    const { ctx, alice } = await setup();
    const bodies: [unknown, string][] = [
      [{}, "/name"],
      [{ name: "" }, "/name"],
      [{ name: "   " }, "/name"],
      [{ name: "x".repeat(101) }, "/name"],
      [{ name: "ok", description: "d".repeat(2001) }, "/description"],
      [{ name: 7 }, "/name"],
      [{ name: "ok", owner_id: alice.id }, "/owner_id"],
      [{ name: "ok", role: "owner" }, "/role"],
      [{ name: "ok", version: 3 }, "/version"],
    ];
    for (const [body, path] of bodies) {
      const response = await ctx.request("/api/v1/boards", { token: alice.accessToken, body });
      const problem = await expectProblem(response, 422, "validation_error");
      expect({ body, paths: problem.errors?.map((error) => error.path) }).toEqual({
        body,
        paths: expect.arrayContaining([path]),
      });
    }
    expect(await countRows(ctx, "boards", "1 = 1")).toBe(0);
    // 100 characters after trimming, and 2,000 of description, are fine.
    await createBoard(ctx, alice, { name: ` ${"x".repeat(100)} `, description: "d".repeat(2000) });
  });
});

describe("GET /boards", () => {
  test("lists the boards I own or belong to, newest first, with my role; paginated", async () => {
    const { ctx, alice, bob } = await setup();
    const mine = await createBoard(ctx, alice, { name: "Mine" });
    ctx.clock.advance(1000);
    const shared = await createBoard(ctx, bob, { name: "Shared" });
    await putMember(ctx, shared.id, alice, "viewer");
    ctx.clock.advance(1000);
    await createBoard(ctx, bob, { name: "Not mine" });

    const response = await ctx.request("/api/v1/boards", { token: alice.accessToken });
    const boards = await expectJsonBody<BoardJson[]>(response);
    expect(boards.map((board) => [board.name, board.role])).toEqual([
      ["Shared", "viewer"],
      ["Mine", "owner"],
    ]);
    expect(response.headers.get("x-total-count")).toBe("2");

    const page = await ctx.request("/api/v1/boards?limit=1&offset=1", {
      token: alice.accessToken,
    });
    expect((await expectJsonBody<BoardJson[]>(page)).map((board) => board.id)).toEqual([mine.id]);
    expect(page.headers.get("link")).toContain('rel="prev"');
    const past = await ctx.request("/api/v1/boards?offset=5", { token: alice.accessToken });
    expect(await expectJsonBody<unknown[]>(past)).toEqual([]);
    expect(past.headers.get("x-total-count")).toBe("2");
    for (const query of ["limit=0", "limit=201", "offset=-1", "sort=name"]) {
      await expectProblem(
        await ctx.request(`/api/v1/boards?${query}`, { token: alice.accessToken }),
        422,
        "validation_error",
      );
    }
  });
});

describe("GET /boards/{id}", () => {
  test("the board with its lists in order, their cards in order (full tasks), and members", async () => {
    const { ctx, alice, bob } = await setup();
    const board = await createBoard(ctx, alice);
    await putMember(ctx, board.id, bob, "editor");
    const todo = await createList(ctx, alice, board.id, { name: "Todo" });
    const done = await createList(ctx, alice, board.id, { name: "Done" });
    await createList(ctx, alice, board.id, { name: "Backlog", position: 0 });
    await createCard(ctx, alice, todo.id, { title: "b", tags: ["x"], assignee_id: bob.id });
    await createCard(ctx, bob, todo.id, { title: "a", position: 0 });
    await createCard(ctx, bob, done.id, { title: "c" });
    await createTask(ctx, alice, { title: "personal, not on the board" });

    const detail = await getBoard(ctx, bob, board.id);
    expect(detail.role).toBe("editor");
    expect(layoutOf(detail)).toEqual({ Backlog: [], Todo: ["a", "b"], Done: ["c"] });
    const card = detail.lists[1]?.cards[1];
    expect(card).toMatchObject({
      title: "b",
      tags: ["x"],
      board_id: board.id,
      list_id: todo.id,
      assignee_id: bob.id,
      owner_id: alice.id,
      position: 1,
    });
    const task = await ctx.request(`/api/v1/tasks/${card?.id}`, { token: bob.accessToken });
    expect(await expectJsonBody(task)).toEqual(card as Record<string, unknown>);
    expect(detail.members.map((member) => [member.user_id, member.role])).toEqual([
      [alice.id, "owner"],
      [bob.id, "editor"],
    ]);
  });

  test("ETag: 304 while nothing on the board changed; any card, list or member change moves it", async () => {
    const { ctx, alice, bob } = await setup();
    const board = await createBoard(ctx, alice);
    const list = await createList(ctx, alice, board.id);
    const read = (etag?: string) =>
      ctx.request(`/api/v1/boards/${board.id}`, {
        token: alice.accessToken,
        headers: etag ? { "if-none-match": etag } : {},
      });
    const first = (await read()).headers.get("etag") ?? "";
    const unchanged = await read(first);
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("etag")).toBe(first);
    expect((await read(`W/${first}`)).status).toBe(304);
    expect((await read("*")).status).toBe(304);

    const changes = [
      () => createCard(ctx, alice, list.id),
      () => createList(ctx, alice, board.id),
      async () => await putMember(ctx, board.id, bob, "viewer"),
    ];
    let etag = first;
    for (const [index, change] of changes.entries()) {
      await change();
      // putMember writes the row directly: only API changes move the revision.
      if (index === 2) break;
      const again = await read(etag);
      expect(again.status).toBe(200);
      const next = again.headers.get("etag") ?? "";
      expect(next).not.toBe(etag);
      etag = next;
    }
  });

  test("a non-member gets 404, word for word as for a board that does not exist", async () => {
    const { ctx, alice, bob } = await setup();
    const board = await createBoard(ctx, alice);
    const hidden = await ctx.request(`/api/v1/boards/${board.id}`, { token: bob.accessToken });
    const missing = await ctx.request("/api/v1/boards/999999", { token: bob.accessToken });
    const a = await expectProblem(hidden, 404, "not_found");
    const b = await expectProblem(missing, 404, "not_found");
    expect([a.detail, a.title]).toEqual([b.detail, b.title]);
    await expectProblem(
      await ctx.request("/api/v1/boards/0", { token: alice.accessToken }),
      422,
      "validation_error",
    );
  });
});

describe("PATCH /boards/{id}", () => {
  test("the owner renames and re-describes; If-Match is honoured; a no-op keeps the version", async () => {
    const { ctx, alice } = await setup();
    const board = await createBoard(ctx, alice, { name: "Old" });
    const etag = `"b${board.id}.1"`;
    const renamed = await patchBoard(ctx, alice, board.id, { name: " New " }, { "if-match": etag });
    const body = await expectJsonBody<BoardJson>(renamed);
    expect(body).toMatchObject({ name: "New", description: "", version: 2 });
    expect(renamed.headers.get("etag")).toBe(`"b${board.id}.2"`);

    const stale = await patchBoard(ctx, alice, board.id, { name: "Lost" }, { "if-match": etag });
    await expectProblem(stale, 412, "precondition_failed");
    const noop = await patchBoard(ctx, alice, board.id, { name: "New", description: "" });
    expect((await expectJsonBody<BoardJson>(noop)).version).toBe(2);
    const described = await patchBoard(ctx, alice, board.id, { description: "About" });
    expect(await expectJsonBody<BoardJson>(described)).toMatchObject({
      name: "New",
      description: "About",
      version: 3,
    });
    expect((await getBoard(ctx, alice, board.id)).name).toBe("New");
  });

  test("bad bodies are 422; a stale If-Match from before a card moved is 412", async () => {
    const { ctx, alice } = await setup();
    const board = await createBoard(ctx, alice);
    for (const body of [{ name: "" }, { name: " " }, { owner_id: 2 }, { version: 9 }, { x: 1 }]) {
      await expectProblem(await patchBoard(ctx, alice, board.id, body), 422, "validation_error");
    }
    const etag = `"b${board.id}.1"`;
    await createList(ctx, alice, board.id);
    await expectProblem(
      await patchBoard(ctx, alice, board.id, { name: "Late" }, { "if-match": etag }),
      412,
      "precondition_failed",
    );
  });
});

describe("DELETE /boards/{id}", () => {
  test("deletes the lists, cards, tags, comments and activity with it, and nothing else", async () => {
    const { ctx, alice, bob } = await setup();
    const board = await createBoard(ctx, alice);
    await putMember(ctx, board.id, bob, "editor");
    const list = await createList(ctx, alice, board.id);
    const card = await createCard(ctx, bob, list.id, { tags: ["x"] });
    await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
      token: bob.accessToken,
      body: { body: "hi" },
    });
    const keep = await createBoard(ctx, bob);
    const keepList = await createList(ctx, bob, keep.id);
    await createCard(ctx, bob, keepList.id, { tags: ["x"] });
    const personal = await createTask(ctx, bob, { tags: ["x"] });

    const stale = await ctx.request(`/api/v1/boards/${board.id}`, {
      method: "DELETE",
      token: alice.accessToken,
      headers: { "if-match": `"b${board.id}.1"` },
    });
    await expectProblem(stale, 412, "precondition_failed");
    const response = await ctx.request(`/api/v1/boards/${board.id}`, {
      method: "DELETE",
      token: alice.accessToken,
    });
    expect(response.status).toBe(204);
    for (const [table, where] of [
      ["boards", `id = ${board.id}`],
      ["lists", `board_id = ${board.id}`],
      ["board_members", `board_id = ${board.id}`],
      ["tasks", `board_id = ${board.id}`],
      ["task_tags", `task_id = ${card.id}`],
      ["comments", `task_id = ${card.id}`],
      ["activity", `board_id = ${board.id}`],
    ] as const) {
      expect({ table, n: await countRows(ctx, table, where) }).toEqual({ table, n: 0 });
    }
    expect(await countRows(ctx, "tasks", "board_id = ?", keep.id)).toBe(1);
    expect(await countRows(ctx, "task_tags", "task_id = ?", personal.id)).toBe(1);
    const gone = await ctx.request(`/api/v1/tasks/${card.id}`, { token: bob.accessToken });
    await expectProblem(gone, 404, "not_found");
    await expectProblem(
      await ctx.request(`/api/v1/boards/${board.id}`, { token: alice.accessToken }),
      404,
      "not_found",
    );
  });
});

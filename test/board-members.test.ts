import { describe, expect, test } from "bun:test";
import { expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import {
  addMember,
  type CardJson,
  createBoard,
  createCard,
  createList,
  getBoard,
} from "./support/boards";
import { createUser, expectProblem, type TestUser } from "./support/factories";

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  const carol = await createUser(ctx);
  const board = await createBoard(ctx, alice);
  return { ctx, alice, bob, carol, board };
}

function post(ctx: TestContext, user: TestUser, boardId: number, body: unknown) {
  return ctx.request(`/api/v1/boards/${boardId}/members`, { token: user.accessToken, body });
}

function patch(ctx: TestContext, user: TestUser, boardId: number, userId: number, role: string) {
  return ctx.request(`/api/v1/boards/${boardId}/members/${userId}`, {
    method: "PATCH",
    token: user.accessToken,
    body: { role },
  });
}

function remove(ctx: TestContext, user: TestUser, boardId: number, userId: number) {
  return ctx.request(`/api/v1/boards/${boardId}/members/${userId}`, {
    method: "DELETE",
    token: user.accessToken,
  });
}

describe("POST /boards/{id}/members", () => {
  test("adds by username (any case) or email (any case); the member sees the board", async () => {
    const { ctx, alice, bob, carol, board } = await setup();
    const byName = await post(ctx, alice, board.id, {
      user: bob.username.toUpperCase(),
      role: "editor",
    });
    expect(await expectJsonBody(byName, 201)).toMatchObject({
      user_id: bob.id,
      username: bob.username,
      role: "editor",
      added_at: expect.any(String),
    });
    const byEmail = await post(ctx, alice, board.id, {
      user: ` ${carol.email.toUpperCase()} `,
      role: "viewer",
    });
    expect(await expectJsonBody(byEmail, 201)).toMatchObject({ user_id: carol.id, role: "viewer" });
    expect((await getBoard(ctx, carol, board.id)).role).toBe("viewer");
    const members = await ctx.request(`/api/v1/boards/${board.id}/members`, {
      token: carol.accessToken,
    });
    expect(
      (await expectJsonBody<{ user_id: number; role: string }[]>(members)).map((m) => [
        m.user_id,
        m.role,
      ]),
    ).toEqual([
      [alice.id, "owner"],
      [bob.id, "editor"],
      [carol.id, "viewer"],
    ]);
    // Members see each other's names, never their email addresses.
    expect(JSON.stringify(await getBoard(ctx, carol, board.id))).not.toContain(bob.email);
  });

  test("unknown account 404, already a member 409, owner role or bad input 422", async () => {
    const { ctx, alice, bob, board } = await setup();
    await expectProblem(
      await post(ctx, alice, board.id, { user: "nobody_here", role: "editor" }),
      404,
      "not_found",
    );
    await expectProblem(
      await post(ctx, alice, board.id, { user: "nobody@example.com", role: "editor" }),
      404,
      "not_found",
    );
    await addMember(ctx, alice, board.id, bob, "viewer");
    await expectProblem(
      await post(ctx, alice, board.id, { user: bob.username, role: "editor" }),
      409,
      "conflict",
    );
    await expectProblem(
      await post(ctx, alice, board.id, { user: alice.username, role: "editor" }),
      409,
      "conflict",
    );
    for (const body of [
      { user: bob.username, role: "owner" },
      { user: bob.username, role: "admin" },
      { user: bob.username },
      { role: "editor" },
      { user: "", role: "editor" },
      { user: bob.username, role: "editor", user_id: bob.id },
    ]) {
      await expectProblem(await post(ctx, alice, board.id, body), 422, "validation_error");
    }
    expect((await getBoard(ctx, bob, board.id)).role).toBe("viewer");
  });

  test("about 30 additions a minute per caller, whatever their outcome; then 429 with Retry-After", async () => {
    const { ctx, alice, bob, board } = await setup();
    const other = await createBoard(ctx, bob);
    // Misses count too: this is what stops the route from sweeping for accounts.
    for (let i = 0; i < 30; i++) {
      const response = await post(ctx, alice, board.id, { user: `probe_${i}`, role: "viewer" });
      expect(response.status).toBe(404);
    }
    const limited = await post(ctx, alice, board.id, { user: bob.username, role: "viewer" });
    await expectProblem(limited, 429, "too_many_requests");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Per caller: someone else still may.
    expect((await post(ctx, bob, other.id, { user: alice.username, role: "viewer" })).status).toBe(
      201,
    );
    ctx.clock.advance(61_000);
    expect((await post(ctx, alice, board.id, { user: bob.username, role: "viewer" })).status).toBe(
      201,
    );
  });
});

describe("roles and handing over", () => {
  test("the owner changes roles; an editor demoted to viewer can no longer edit", async () => {
    const { ctx, alice, bob, board } = await setup();
    await addMember(ctx, alice, board.id, bob, "editor");
    const list = await createList(ctx, bob, board.id);
    const changed = await patch(ctx, alice, board.id, bob.id, "viewer");
    expect(await expectJsonBody(changed)).toMatchObject({ user_id: bob.id, role: "viewer" });
    const refused = await ctx.request("/api/v1/tasks", {
      token: bob.accessToken,
      body: { title: "x", list_id: list.id },
    });
    await expectProblem(refused, 403, "forbidden_access");
    const same = await patch(ctx, alice, board.id, bob.id, "viewer");
    expect(await expectJsonBody(same)).toMatchObject({ role: "viewer" });
  });

  test("role owner hands the board over: the old owner becomes editor", async () => {
    const { ctx, alice, bob, board } = await setup();
    await addMember(ctx, alice, board.id, bob, "viewer");
    const handed = await patch(ctx, alice, board.id, bob.id, "owner");
    expect(await expectJsonBody(handed)).toMatchObject({ user_id: bob.id, role: "owner" });
    const detail = await getBoard(ctx, bob, board.id);
    expect(detail.owner_id).toBe(bob.id);
    expect(detail.role).toBe("owner");
    expect(detail.members.map((m) => [m.user_id, m.role])).toEqual([
      [alice.id, "editor"],
      [bob.id, "owner"],
    ]);
    // Alice lost the owner's rights at once.
    await expectProblem(
      await patch(ctx, alice, board.id, bob.id, "viewer"),
      403,
      "forbidden_access",
    );
    const rename = await ctx.request(`/api/v1/boards/${board.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { name: "Mine again" },
    });
    await expectProblem(rename, 403, "forbidden_access");
    const boards = await ctx.request("/api/v1/boards", { token: alice.accessToken });
    expect((await expectJsonBody<{ role: string }[]>(boards))[0]?.role).toBe("editor");
  });

  test("the owner cannot step down or leave without handing over (409)", async () => {
    const { ctx, alice, board } = await setup();
    await expectProblem(await patch(ctx, alice, board.id, alice.id, "editor"), 409, "conflict");
    await expectProblem(await remove(ctx, alice, board.id, alice.id), 409, "conflict");
    expect((await getBoard(ctx, alice, board.id)).role).toBe("owner");
    const self = await patch(ctx, alice, board.id, alice.id, "owner");
    expect(await expectJsonBody(self)).toMatchObject({ role: "owner" });
  });

  test("unknown members are 404; bad roles and ids 422", async () => {
    const { ctx, alice, bob, board } = await setup();
    await expectProblem(await patch(ctx, alice, board.id, bob.id, "editor"), 404, "not_found");
    await expectProblem(await remove(ctx, alice, board.id, bob.id), 404, "not_found");
    await expectProblem(
      await patch(ctx, alice, board.id, bob.id, "admin"),
      422,
      "validation_error",
    );
    await expectProblem(await remove(ctx, alice, board.id, 0), 422, "validation_error");
  });
});

describe("leaving and removal", () => {
  test("a member leaves; a removed member loses the board at once; their assignments clear", async () => {
    const { ctx, alice, bob, carol, board } = await setup();
    await addMember(ctx, alice, board.id, bob, "editor");
    await addMember(ctx, alice, board.id, carol, "viewer");
    const list = await createList(ctx, alice, board.id);
    const card = await createCard(ctx, bob, list.id, { assignee_id: bob.id });

    expect((await remove(ctx, carol, board.id, carol.id)).status).toBe(204);
    await expectProblem(
      await ctx.request(`/api/v1/boards/${board.id}`, { token: carol.accessToken }),
      404,
      "not_found",
    );

    // Bob (an editor) may not remove anyone else.
    await addMember(ctx, alice, board.id, carol, "viewer");
    await expectProblem(await remove(ctx, bob, board.id, carol.id), 403, "forbidden_access");

    expect((await remove(ctx, alice, board.id, bob.id)).status).toBe(204);
    for (const path of [`/api/v1/boards/${board.id}`, `/api/v1/tasks/${card.id}`]) {
      await expectProblem(await ctx.request(path, { token: bob.accessToken }), 404, "not_found");
    }
    const kept = await ctx.request(`/api/v1/tasks/${card.id}`, { token: alice.accessToken });
    // The card Bob made stays on the board, no longer assigned to him.
    expect(await expectJsonBody<CardJson>(kept)).toMatchObject({
      assignee_id: null,
      owner_id: bob.id,
      board_id: board.id,
    });
    const mine = await ctx.request("/api/v1/tasks", { token: bob.accessToken });
    expect(await expectJsonBody<unknown[]>(mine)).toEqual([]);
  });

  test("a non-member cannot list, add, change or remove members (404)", async () => {
    const { ctx, alice, bob, carol, board } = await setup();
    await addMember(ctx, alice, board.id, carol, "viewer");
    for (const response of [
      await ctx.request(`/api/v1/boards/${board.id}/members`, { token: bob.accessToken }),
      await post(ctx, bob, board.id, { user: bob.username, role: "editor" }),
      await patch(ctx, bob, board.id, carol.id, "editor"),
      await remove(ctx, bob, board.id, carol.id),
      await remove(ctx, bob, board.id, bob.id),
    ]) {
      await expectProblem(response, 404, "not_found");
    }
    expect((await getBoard(ctx, carol, board.id)).members).toHaveLength(2);
  });
});

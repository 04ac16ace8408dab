import { describe, expect, test } from "bun:test";
import { countRows, createUserWithRole, expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import {
  type CardJson,
  createBoard,
  createCard,
  createList,
  getBoard,
  putMember,
} from "./support/boards";
import { createTask, createUser, type TestUser } from "./support/factories";

/** What deleting or exporting an account does to boards. */

async function world() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  // Bob's own board, with Alice on it.
  const bobs = await createBoard(ctx, bob, { name: "Bob's" });
  await putMember(ctx, bobs.id, alice, "editor");
  const bobsList = await createList(ctx, bob, bobs.id);
  const bobsCard = await createCard(ctx, alice, bobsList.id, { title: "on Bob's" });
  // Alice's board, with Bob on it.
  const alices = await createBoard(ctx, alice, { name: "Shared by Bob" });
  await putMember(ctx, alices.id, bob, "editor");
  const alicesList = await createList(ctx, alice, alices.id);
  const made = await createCard(ctx, bob, alicesList.id, {
    title: "made by Bob",
    assignee_id: bob.id,
  });
  const assigned = await createCard(ctx, alice, alicesList.id, {
    title: "assigned to Bob",
    assignee_id: bob.id,
  });
  const said = await ctx.request(`/api/v1/tasks/${assigned.id}/comments`, {
    token: bob.accessToken,
    body: { body: "Bob was here" },
  });
  const aliceSaid = await ctx.request(`/api/v1/tasks/${bobsCard.id}/comments`, {
    token: alice.accessToken,
    body: { body: "Alice on Bob's board" },
  });
  return {
    ctx,
    alice,
    bob,
    bobs,
    bobsCard,
    alices,
    made,
    assigned,
    bobsComment: (await said.json()) as { id: number },
    alicesComment: (await aliceSaid.json()) as { id: number },
  };
}

async function readCard(ctx: TestContext, user: TestUser, id: number) {
  return expectJsonBody<CardJson>(
    await ctx.request(`/api/v1/tasks/${id}`, { token: user.accessToken }),
  );
}

describe("deleting an account", () => {
  for (const by of ["self", "admin"] as const) {
    test(`(${by}) deletes its boards; its cards elsewhere stay, owned by the board's owner; memberships, comments and assignments go`, async () => {
      const w = await world();
      const { ctx, alice, bob } = w;
      if (by === "self") {
        const response = await ctx.request("/api/v1/users/me", {
          method: "DELETE",
          token: bob.accessToken,
          body: { password: bob.password },
        });
        expect(response.status).toBe(204);
      } else {
        const admin = await createUserWithRole(ctx, "admin");
        const response = await ctx.request(`/api/v1/admin/users/${bob.id}`, {
          method: "DELETE",
          token: admin.accessToken,
        });
        expect(response.status).toBe(204);
      }
      // Bob's board is gone with everything on it, Alice's card and comment included.
      expect(await countRows(ctx, "boards", "id = ?", w.bobs.id)).toBe(0);
      expect(await countRows(ctx, "tasks", "id = ?", w.bobsCard.id)).toBe(0);
      expect(await countRows(ctx, "comments", "id = ?", w.alicesComment.id)).toBe(0);
      // The card Bob made on Alice's board stays, now Alice's, assigned to nobody.
      expect(await readCard(ctx, alice, w.made.id)).toMatchObject({
        owner_id: alice.id,
        assignee_id: null,
        board_id: w.alices.id,
      });
      expect((await readCard(ctx, alice, w.assigned.id)).assignee_id).toBeNull();
      expect(await countRows(ctx, "comments", "id = ?", w.bobsComment.id)).toBe(0);
      expect(await countRows(ctx, "board_members", "user_id = ?", bob.id)).toBe(0);
      const detail = await getBoard(ctx, alice, w.alices.id);
      expect(detail.members.map((member) => member.user_id)).toEqual([alice.id]);
      expect(detail.lists[0]?.cards.map((card) => card.title)).toEqual([
        "made by Bob",
        "assigned to Bob",
      ]);
      const activity = await ctx.request(`/api/v1/boards/${w.alices.id}/activity`, {
        token: alice.accessToken,
      });
      const actions = (await expectJsonBody<{ action: string }[]>(activity)).map((e) => e.action);
      expect(actions.slice(0, 3)).toEqual(["member.removed", "comment.deleted", "card.updated"]);
    });
  }
});

describe("the account export", () => {
  test("holds owned boards with lists, cards and comments, memberships and written comments", async () => {
    const w = await world();
    const { ctx, alice } = w;
    const personal = await createTask(ctx, alice, { title: "personal" });
    const response = await ctx.request("/api/v1/users/me/export", { token: alice.accessToken });
    const body = await expectJsonBody<{
      tasks: { id: number }[];
      boards: {
        id: number;
        role: string;
        lists: { cards: { title: string; comments: { body: string }[] }[] }[];
        members: { user_id: number }[];
      }[];
      memberships: { board_id: number; board_name: string; role: string }[];
      comments: { body: string; task_id: number }[];
    }>(response);
    // Personal tasks only: cards belong to their boards.
    expect(body.tasks.map((task) => task.id)).toEqual([personal.id]);
    expect(body.boards.map((board) => board.id)).toEqual([w.alices.id]);
    const cards = body.boards[0]?.lists[0]?.cards ?? [];
    expect(cards.map((card) => [card.title, card.comments.map((c) => c.body)])).toEqual([
      ["made by Bob", []],
      ["assigned to Bob", ["Bob was here"]],
    ]);
    expect(body.boards[0]?.members.map((member) => member.user_id)).toEqual([alice.id, w.bob.id]);
    expect(body.memberships).toEqual([
      { board_id: w.alices.id, board_name: "Shared by Bob", role: "owner" },
      { board_id: w.bobs.id, board_name: "Bob's", role: "editor" },
    ]);
    expect(body.comments.map((comment) => [comment.body, comment.task_id])).toEqual([
      ["Alice on Bob's board", w.bobsCard.id],
    ]);
    // Bob's email address is not Alice's data.
    expect(JSON.stringify(body)).not.toContain(w.bob.email);
  });
});

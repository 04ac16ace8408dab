import { describe, expect, test } from "bun:test";
import { countRows, expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

interface CommentJson {
  id: number;
  task_id: number;
  author: { id: number; username: string };
  body: string;
  created_at: string;
  updated_at: string;
  edited_at: string | null;
}

function comment(ctx: TestContext, user: TestUser, taskId: number, body: unknown) {
  return ctx.request(`/api/v1/tasks/${taskId}/comments`, { token: user.accessToken, body });
}

function edit(ctx: TestContext, user: TestUser, id: number, body: unknown) {
  return ctx.request(`/api/v1/comments/${id}`, { method: "PATCH", token: user.accessToken, body });
}

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  const board = await createBoard(ctx, alice);
  await putMember(ctx, board.id, bob, "editor");
  const list = await createList(ctx, alice, board.id);
  const card = await createCard(ctx, alice, list.id);
  return { ctx, alice, bob, board, card };
}

describe("comments on cards", () => {
  test("post, read oldest first with pagination, edit (edited_at), delete", async () => {
    const { ctx, alice, bob, card } = await setup();
    const response = await comment(ctx, bob, card.id, { body: "  First!  " });
    const first = await expectJsonBody<CommentJson>(response, 201);
    expect(first).toMatchObject({
      task_id: card.id,
      author: { id: bob.id, username: bob.username },
      body: "First!",
      edited_at: null,
    });
    expect(response.headers.get("location")).toBe(`/api/v1/comments/${first.id}`);
    ctx.clock.advance(1000);
    await comment(ctx, alice, card.id, { body: "Second" });
    await comment(ctx, bob, card.id, { body: "Third" });

    const page = await ctx.request(`/api/v1/tasks/${card.id}/comments?limit=2`, {
      token: alice.accessToken,
    });
    expect((await expectJsonBody<CommentJson[]>(page)).map((c) => c.body)).toEqual([
      "First!",
      "Second",
    ]);
    expect(page.headers.get("x-total-count")).toBe("3");
    expect(page.headers.get("link")).toContain('rel="next"');

    ctx.clock.advance(5000);
    const edited = await expectJsonBody<CommentJson>(
      await edit(ctx, bob, first.id, { body: "1st" }),
    );
    expect(edited.body).toBe("1st");
    expect(edited.edited_at).toBe(new Date(ctx.clock.now()).toISOString());
    expect(edited.created_at).toBe(first.created_at);
    const read = await ctx.request(`/api/v1/comments/${first.id}`, { token: alice.accessToken });
    expect(await expectJsonBody(read)).toEqual(edited as unknown as Record<string, unknown>);
    // The same text again is no edit at all.
    ctx.clock.advance(5000);
    const same = await expectJsonBody<CommentJson>(
      await edit(ctx, bob, first.id, { body: " 1st " }),
    );
    expect(same.edited_at).toBe(edited.edited_at);

    const deleted = await ctx.request(`/api/v1/comments/${first.id}`, {
      method: "DELETE",
      token: bob.accessToken,
    });
    expect(deleted.status).toBe(204);
    await expectProblem(
      await ctx.request(`/api/v1/comments/${first.id}`, { token: bob.accessToken }),
      404,
      "not_found",
    );
  });

  test("only the author edits; the author or the board's owner deletes", async () => {
    const { ctx, alice, bob, board, card } = await setup();
    const carol = await createUser(ctx);
    await putMember(ctx, board.id, carol, "editor");
    const bobs = await expectJsonBody<CommentJson>(
      await comment(ctx, bob, card.id, { body: "b" }),
      201,
    );
    await expectProblem(await edit(ctx, alice, bobs.id, { body: "x" }), 403, "forbidden_access");
    await expectProblem(await edit(ctx, carol, bobs.id, { body: "x" }), 403, "forbidden_access");
    const byCarol = await ctx.request(`/api/v1/comments/${bobs.id}`, {
      method: "DELETE",
      token: carol.accessToken,
    });
    await expectProblem(byCarol, 403, "forbidden_access");
    const byOwner = await ctx.request(`/api/v1/comments/${bobs.id}`, {
      method: "DELETE",
      token: alice.accessToken,
    });
    expect(byOwner.status).toBe(204);
  });

  test("bad bodies are 422 and store nothing", async () => {
    const { ctx, bob, card } = await setup();
    for (const body of [
      {},
      { body: "" },
      { body: " \n " },
      { body: "x".repeat(10_001) },
      { body: "ok", author_id: 1 },
    ]) {
      await expectProblem(await comment(ctx, bob, card.id, body), 422, "validation_error");
    }
    expect(await countRows(ctx, "comments", "1 = 1")).toBe(0);
    const long = await comment(ctx, bob, card.id, { body: "x".repeat(10_000) });
    const stored = await expectJsonBody<CommentJson>(long, 201);
    await expectProblem(await edit(ctx, bob, stored.id, { body: "" }), 422, "validation_error");
    await expectProblem(await edit(ctx, bob, stored.id, { text: "x" }), 422, "validation_error");
  });

  test("outsiders get 404 for a card's comments, and for any one of them", async () => {
    const { ctx, bob, card } = await setup();
    const eve = await createUser(ctx);
    const said = await expectJsonBody<CommentJson>(
      await comment(ctx, bob, card.id, { body: "x" }),
      201,
    );
    for (const response of [
      await ctx.request(`/api/v1/tasks/${card.id}/comments`, { token: eve.accessToken }),
      await comment(ctx, eve, card.id, { body: "hi" }),
      await ctx.request(`/api/v1/comments/${said.id}`, { token: eve.accessToken }),
      await edit(ctx, eve, said.id, { body: "x" }),
      await ctx.request(`/api/v1/comments/${said.id}`, {
        method: "DELETE",
        token: eve.accessToken,
      }),
      await ctx.request("/api/v1/tasks/999999/comments", { token: eve.accessToken }),
    ]) {
      await expectProblem(response, 404, "not_found");
    }
  });
});

describe("comments on personal tasks", () => {
  test("only the owner comments and reads them", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    const task = await createTask(ctx, alice);
    const note = await expectJsonBody<CommentJson>(
      await comment(ctx, alice, task.id, { body: "note to self" }),
      201,
    );
    await expectProblem(await comment(ctx, bob, task.id, { body: "hi" }), 404, "not_found");
    await expectProblem(
      await ctx.request(`/api/v1/tasks/${task.id}/comments`, { token: bob.accessToken }),
      404,
      "not_found",
    );
    const list = await ctx.request(`/api/v1/tasks/${task.id}/comments`, {
      token: alice.accessToken,
    });
    expect((await expectJsonBody<CommentJson[]>(list)).map((c) => c.id)).toEqual([note.id]);
    // Deleting the task takes its comments with it.
    await ctx.request(`/api/v1/tasks/${task.id}`, { method: "DELETE", token: alice.accessToken });
    expect(await countRows(ctx, "comments", "id = ?", note.id)).toBe(0);
  });
});

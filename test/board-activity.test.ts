import { describe, expect, test } from "bun:test";
import { expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { addMember, createBoard, createCard, createList } from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

interface Entry {
  id: number;
  board_id: number;
  actor: { id: number; username: string } | null;
  action: string;
  subject_type: string;
  subject_id: number;
  data: Record<string, unknown>;
  created_at: string;
}

async function activity(ctx: TestContext, user: TestUser, boardId: number, query = "") {
  const response = await ctx.request(`/api/v1/boards/${boardId}/activity${query}`, {
    token: user.accessToken,
  });
  return { entries: await expectJsonBody<Entry[]>(response), response };
}

describe("GET /boards/{id}/activity", () => {
  test("every change is recorded with who, what and which fields, newest first", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    const api = (user: TestUser, path: string, init: Parameters<TestContext["request"]>[1]) =>
      ctx.request(path, { token: user.accessToken, ...init });
    const board = await createBoard(ctx, alice, { name: "Plans" });
    await addMember(ctx, alice, board.id, bob, "viewer");
    await api(alice, `/api/v1/boards/${board.id}/members/${bob.id}`, {
      method: "PATCH",
      body: { role: "editor" },
    });
    await api(alice, `/api/v1/boards/${board.id}`, { method: "PATCH", body: { name: "Roadmap" } });
    const todo = await createList(ctx, bob, board.id, { name: "Todo" });
    const done = await createList(ctx, bob, board.id, { name: "Done" });
    await api(bob, `/api/v1/lists/${done.id}`, { method: "PATCH", body: { name: "Shipped" } });
    await api(bob, `/api/v1/lists/${done.id}`, { method: "PATCH", body: { position: 0 } });
    const card = await createCard(ctx, bob, todo.id, { title: "Write" });
    await api(bob, `/api/v1/tasks/${card.id}`, {
      method: "PATCH",
      body: { title: "Write it", priority: 3, tags: ["doc"] },
    });
    await api(bob, `/api/v1/tasks/${card.id}`, { method: "PATCH", body: { list_id: done.id } });
    const said = await api(bob, `/api/v1/tasks/${card.id}/comments`, { body: { body: "Done!" } });
    const commentId = ((await said.json()) as { id: number }).id;
    await api(bob, `/api/v1/comments/${commentId}`, { method: "PATCH", body: { body: "Done." } });
    await api(bob, `/api/v1/comments/${commentId}`, { method: "DELETE" });
    await api(bob, `/api/v1/tasks/${card.id}`, { method: "DELETE" });
    await api(bob, `/api/v1/lists/${todo.id}`, { method: "DELETE" });
    await api(alice, `/api/v1/boards/${board.id}/members/${bob.id}`, { method: "DELETE" });
    // Personal tasks have no board and no activity.
    await createTask(ctx, alice, { title: "private" });

    const { entries } = await activity(ctx, alice, board.id, "?limit=200");
    const summary = entries.map((entry) => [entry.actor?.id, entry.action, entry.subject_type]);
    expect(summary).toEqual([
      [alice.id, "member.removed", "member"],
      [bob.id, "list.deleted", "list"],
      [bob.id, "card.deleted", "card"],
      [bob.id, "comment.deleted", "comment"],
      [bob.id, "comment.edited", "comment"],
      [bob.id, "comment.created", "comment"],
      [bob.id, "card.moved", "card"],
      [bob.id, "card.updated", "card"],
      [bob.id, "card.created", "card"],
      [bob.id, "list.moved", "list"],
      [bob.id, "list.renamed", "list"],
      [bob.id, "list.created", "list"],
      [bob.id, "list.created", "list"],
      [alice.id, "board.updated", "board"],
      [alice.id, "member.role_changed", "member"],
      [alice.id, "member.added", "member"],
      [alice.id, "board.created", "board"],
    ]);
    const find = (action: string) => entries.find((entry) => entry.action === action);
    expect(find("card.updated")?.data).toEqual({ fields: ["title", "priority", "tags"] });
    expect(find("card.moved")?.data).toEqual({
      from_board_id: board.id,
      from_list_id: todo.id,
      from_position: 0,
      to_board_id: board.id,
      to_list_id: done.id,
      to_position: 0,
    });
    expect(find("board.updated")?.data).toEqual({
      fields: ["name"],
      name: "Roadmap",
      previous_name: "Plans",
    });
    expect(find("member.role_changed")).toMatchObject({
      subject_id: bob.id,
      data: { from: "viewer", to: "editor" },
    });
    expect(find("list.moved")?.data).toEqual({ from: 1, to: 0 });
    expect(find("comment.created")).toMatchObject({
      subject_id: commentId,
      data: { task_id: card.id },
    });
    expect(find("member.removed")?.data).toEqual({ username: bob.username, left: false });
    expect(entries[0]).toMatchObject({
      board_id: board.id,
      actor: { id: alice.id, username: alice.username },
      created_at: expect.any(String),
    });
  });

  test("paginated; every member may read it, outsiders get 404; a deleted actor shows as null", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    const eve = await createUser(ctx);
    const board = await createBoard(ctx, alice);
    await addMember(ctx, alice, board.id, bob, "editor");
    for (let i = 0; i < 3; i++) await createList(ctx, bob, board.id);

    const page = await activity(ctx, bob, board.id, "?limit=2&offset=1");
    expect(page.entries.map((entry) => entry.action)).toEqual(["list.created", "list.created"]);
    expect(page.response.headers.get("x-total-count")).toBe("5");
    await expectProblem(
      await ctx.request(`/api/v1/boards/${board.id}/activity`, { token: eve.accessToken }),
      404,
      "not_found",
    );
    await expectProblem(
      await ctx.request(`/api/v1/boards/${board.id}/activity?limit=0`, { token: bob.accessToken }),
      422,
      "validation_error",
    );

    await ctx.request("/api/v1/users/me", {
      method: "DELETE",
      token: bob.accessToken,
      body: { password: bob.password },
    });
    const after = await activity(ctx, alice, board.id);
    expect(after.entries[0]).toMatchObject({ action: "member.removed", actor: null });
    expect(after.entries.filter((entry) => entry.action === "list.created")[0]?.actor).toBeNull();
  });
});

import { describe, expect, test } from "bun:test";
import { createTestContext, type TestContext } from "./support/app";
import { addMember, createBoard, createCard, createList } from "./support/boards";
import { createTask, createUser, type TestUser } from "./support/factories";
import { comment, inbox, notificationEvents, patchTask, typesOf } from "./support/notifications";

/** A board owned by `owner` with `alice` and `bob` as editors and one list. */
async function team(ctx: TestContext) {
  const owner = await createUser(ctx);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  const board = await createBoard(ctx, owner, { name: "Launch" });
  await addMember(ctx, owner, board.id, alice, "editor");
  await addMember(ctx, owner, board.id, bob, "editor");
  const list = await createList(ctx, owner, board.id);
  return { owner, alice, bob, board, list };
}

describe("being added to a board", () => {
  test("tells the new member who added them, with the board; the event carries the same", async () => {
    const ctx = await createTestContext();
    const { owner, alice, board } = await team(ctx);
    const { items, unread } = await inbox(ctx, alice);
    expect(unread).toBe(1);
    expect(items).toEqual([
      {
        id: expect.any(Number),
        type: "board_member_added",
        title: `${owner.username} added you to the board “Launch” as editor`,
        body: null,
        board_id: board.id,
        task_id: null,
        comment_id: null,
        actor: { id: owner.id, username: owner.username },
        read_at: null,
        created_at: new Date(ctx.clock.now()).toISOString(),
      },
    ]);
    const events = await notificationEvents(ctx, alice.id);
    expect(events).toEqual([{ board_id: board.id, user_id: alice.id, data: items[0] as never }]);
    // The owner made the board and added the others: nothing for them.
    expect(await typesOf(ctx, owner)).toEqual([]);
    expect(await notificationEvents(ctx, owner.id)).toEqual([]);
  });
});

describe("assignment", () => {
  test("a card created with another member as assignee tells them; assigning yourself does not", async () => {
    const ctx = await createTestContext();
    const { owner, alice, board, list } = await team(ctx);
    const card = await createCard(ctx, owner, list.id, { title: "Ship", assignee_id: alice.id });
    await createCard(ctx, owner, list.id, { assignee_id: owner.id });
    const [assigned] = (await inbox(ctx, alice)).items;
    expect(assigned).toMatchObject({
      type: "task_assigned",
      title: `${owner.username} assigned you “Ship”`,
      board_id: board.id,
      task_id: card.id,
      actor: { id: owner.id, username: owner.username },
    });
    expect(await typesOf(ctx, owner)).toEqual([]);
    expect((await notificationEvents(ctx, alice.id)).at(-1)).toEqual({
      board_id: board.id,
      user_id: alice.id,
      data: assigned as never,
    });
  });

  test("changing the assignee tells the new one once; other edits and self-assignment do not", async () => {
    const ctx = await createTestContext();
    const { owner, alice, bob, list } = await team(ctx);
    const card = await createCard(ctx, owner, list.id);
    await patchTask(ctx, owner, card.id, { assignee_id: bob.id });
    await patchTask(ctx, owner, card.id, { assignee_id: bob.id, title: "Renamed" });
    await patchTask(ctx, alice, card.id, { assignee_id: alice.id });
    await patchTask(ctx, alice, card.id, { assignee_id: null });
    expect(await typesOf(ctx, bob)).toEqual(["task_assigned", "board_member_added"]);
    expect(await typesOf(ctx, alice)).toEqual(["board_member_added"]);
  });

  test("a personal task assigned to its owner raises nothing", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const task = await createTask(ctx, user, { assignee_id: user.id });
    await patchTask(ctx, user, task.id, { assignee_id: null });
    await patchTask(ctx, user, task.id, { assignee_id: user.id });
    expect(await typesOf(ctx, user)).toEqual([]);
  });
});

describe("comments", () => {
  async function assignedCard(ctx: TestContext) {
    const people = await team(ctx);
    const card = await createCard(ctx, people.owner, people.list.id, {
      title: "Ship",
      assignee_id: people.alice.id,
    });
    return { ...people, card };
  }

  function latest(ctx: TestContext, user: TestUser) {
    return inbox(ctx, user).then(({ items }) => items[0]);
  }

  test("tell the task's owner and assignee, never the author", async () => {
    const ctx = await createTestContext();
    const { owner, alice, bob, card, board } = await assignedCard(ctx);
    const made = await comment(ctx, bob, card.id, "Looks good to me");
    for (const user of [owner, alice]) {
      expect(await latest(ctx, user)).toMatchObject({
        type: "task_comment",
        title: `${bob.username} commented on “Ship”`,
        body: "Looks good to me",
        board_id: board.id,
        task_id: card.id,
        comment_id: made.id,
        actor: { id: bob.id, username: bob.username },
      });
    }
    expect(await typesOf(ctx, bob)).toEqual(["board_member_added"]);

    // The owner's own comment tells the assignee only.
    await comment(ctx, owner, card.id, "Thanks");
    expect(await typesOf(ctx, owner)).toEqual(["task_comment"]);
    expect(await typesOf(ctx, alice)).toEqual([
      "task_comment",
      "task_comment",
      "task_assigned",
      "board_member_added",
    ]);
  });

  test("the owner who is also the assignee hears of a comment once", async () => {
    const ctx = await createTestContext();
    const { owner, alice, list } = await team(ctx);
    const card = await createCard(ctx, owner, list.id, { assignee_id: owner.id });
    await comment(ctx, alice, card.id, "One");
    expect(await typesOf(ctx, owner)).toEqual(["task_comment"]);
  });

  test("a mention tells a member who can see the task, once, even when they own or are assigned it", async () => {
    const ctx = await createTestContext();
    const { owner, alice, bob, card } = await assignedCard(ctx);
    await comment(
      ctx,
      bob,
      card.id,
      `@${alice.username.toUpperCase()} and @${alice.username}, see this`,
    );
    const { items } = await inbox(ctx, alice);
    expect(items.map((n) => n.type)).toEqual([
      "comment_mention",
      "task_assigned",
      "board_member_added",
    ]);
    expect(items[0]?.title).toBe(`${bob.username} mentioned you on “Ship”`);
    // The owner was not mentioned: an ordinary comment notice.
    expect(await typesOf(ctx, owner)).toEqual(["task_comment"]);
  });

  test("a mention of a member who neither owns nor is assigned the task tells them", async () => {
    const ctx = await createTestContext();
    const { owner, alice, bob, list } = await team(ctx);
    const card = await createCard(ctx, owner, list.id);
    await comment(ctx, alice, card.id, `Ping @${bob.username}.`);
    expect(await typesOf(ctx, bob)).toEqual(["comment_mention", "board_member_added"]);
    expect(await typesOf(ctx, owner)).toEqual(["task_comment"]);
  });

  test("no notice for mentioning a non-member, an unknown name, an email address, or oneself", async () => {
    const ctx = await createTestContext();
    const { owner, alice, list } = await team(ctx);
    const outsider = await createUser(ctx);
    const card = await createCard(ctx, owner, list.id);
    const text = `@${outsider.username} @nobody_here mail ${alice.username}@example.com or x@${alice.username} — @${owner.username}`;
    const response = await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
      token: owner.accessToken,
      body: { body: text },
    });
    expect(response.status).toBe(201);
    expect(await typesOf(ctx, outsider)).toEqual([]);
    expect(await typesOf(ctx, alice)).toEqual(["board_member_added"]);
    expect(await typesOf(ctx, owner)).toEqual([]);
    expect(await notificationEvents(ctx, outsider.id)).toEqual([]);
  });

  test("a removed member is no longer told of comments on cards they created", async () => {
    const ctx = await createTestContext();
    const { owner, alice, board, list } = await team(ctx);
    const card = await createCard(ctx, alice, list.id);
    const removed = await ctx.request(`/api/v1/boards/${board.id}/members/${alice.id}`, {
      method: "DELETE",
      token: owner.accessToken,
    });
    expect(removed.status).toBe(204);
    await comment(ctx, owner, card.id, `Still there @${alice.username}?`);
    expect(await typesOf(ctx, alice)).toEqual(["board_member_added"]);
  });

  test("a long comment is quoted shortened", async () => {
    const ctx = await createTestContext();
    const { owner, alice, list } = await team(ctx);
    const card = await createCard(ctx, owner, list.id);
    await comment(ctx, alice, card.id, "x".repeat(500));
    const body = (await latest(ctx, owner))?.body ?? "";
    expect(Array.from(body)).toHaveLength(280);
    expect(body.endsWith("…")).toBe(true);
  });
});

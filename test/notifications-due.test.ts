import { describe, expect, test } from "bun:test";
import { createScheduler } from "../src/modules/jobs/scheduler";
import { createTestContext, type TestContext } from "./support/app";
import { addMember, createBoard, createCard, createList } from "./support/boards";
import { createTask, createUser } from "./support/factories";
import { inbox, notificationEvents, patchTask, typesOf } from "./support/notifications";

const HOUR = 60 * 60 * 1000;

function inHours(ctx: TestContext, hours: number): string {
  return new Date(ctx.clock.now() + hours * HOUR).toISOString();
}

function scheduler(ctx: TestContext) {
  return createScheduler(ctx.deps);
}

describe("due-date reminders", () => {
  test("remind the owner of a task due within 24 hours, once however often the job runs", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const dueDate = inHours(ctx, 2);
    const task = await createTask(ctx, user, { title: "Taxes", due_date: dueDate });
    await createTask(ctx, user, { title: "Later", due_date: inHours(ctx, 25) });
    await createTask(ctx, user, { title: "Late", due_date: inHours(ctx, -1) });
    await createTask(ctx, user, { title: "Done", due_date: inHours(ctx, 3), completed: true });
    await createTask(ctx, user, { title: "Whenever" });

    expect(await scheduler(ctx).remindDue()).toBe(1);
    // Again, and from a second server on the same database: nothing more.
    expect(await scheduler(ctx).remindDue()).toBe(0);
    expect(await scheduler(ctx).remindDue()).toBe(0);
    const { items } = await inbox(ctx, user);
    expect(items).toEqual([
      expect.objectContaining({
        type: "task_due",
        title: "“Taxes” is due within 24 hours",
        body: `Due ${dueDate}`,
        task_id: task.id,
        board_id: null,
        actor: null,
      }),
    ]);
    expect(await notificationEvents(ctx, user.id)).toEqual([
      { board_id: null, user_id: user.id, data: items[0] as never },
    ]);
  });

  test("a new due date is a new reminder; the old one is not raised again", async () => {
    // Access tokens that outlive the hours this test moves the clock by.
    const ctx = await createTestContext({ ACCESS_TOKEN_TTL: "86400" });
    const user = await createUser(ctx);
    const task = await createTask(ctx, user, { due_date: inHours(ctx, 30) });
    expect(await scheduler(ctx).remindDue()).toBe(0);
    ctx.clock.advance(7 * HOUR);
    expect(await scheduler(ctx).remindDue()).toBe(1);
    await patchTask(ctx, user, task.id, { due_date: inHours(ctx, 10) });
    expect(await scheduler(ctx).remindDue()).toBe(1);
    expect(await scheduler(ctx).remindDue()).toBe(0);
    // Deleting a reminder does not bring it back.
    const [newest] = (await inbox(ctx, user)).items;
    const deleted = await ctx.request(`/api/v1/notifications/${newest?.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(deleted.status).toBe(204);
    expect(await scheduler(ctx).remindDue()).toBe(0);
    expect(await typesOf(ctx, user)).toEqual(["task_due"]);
    // Completed before its reminder: none.
    const done = await createTask(ctx, user, { due_date: inHours(ctx, 40) });
    await patchTask(ctx, user, done.id, { completed: true });
    ctx.clock.advance(16 * HOUR);
    expect(await scheduler(ctx).remindDue()).toBe(0);
  });

  test("a card reminds its owner and its assignee, each once, if they are on the board", async () => {
    const ctx = await createTestContext();
    const owner = await createUser(ctx);
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    const board = await createBoard(ctx, owner);
    await addMember(ctx, owner, board.id, alice, "editor");
    await addMember(ctx, owner, board.id, bob, "editor");
    const list = await createList(ctx, owner, board.id);
    const due = inHours(ctx, 5);
    const card = await createCard(ctx, owner, list.id, { assignee_id: alice.id, due_date: due });
    // Owner and assignee at once: one reminder.
    await createCard(ctx, owner, list.id, { assignee_id: owner.id, due_date: due });
    // Bob made this card, then left the board: only its assignee hears.
    const left = await createCard(ctx, bob, list.id, { assignee_id: alice.id, due_date: due });
    const leave = await ctx.request(`/api/v1/boards/${board.id}/members/${bob.id}`, {
      method: "DELETE",
      token: bob.accessToken,
    });
    expect(leave.status).toBe(204);

    expect(await scheduler(ctx).remindDue()).toBe(4);
    const aliceDue = (await inbox(ctx, alice)).items.filter((n) => n.type === "task_due");
    expect(aliceDue.map((n) => n.task_id).sort()).toEqual([card.id, left.id].sort());
    expect(aliceDue.every((n) => n.board_id === board.id)).toBe(true);
    expect((await inbox(ctx, owner)).items.filter((n) => n.type === "task_due")).toHaveLength(2);
    expect(await typesOf(ctx, bob)).toEqual(["board_member_added"]);
  });

  test("the scheduler raises them when it starts", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await createTask(ctx, user, { due_date: inHours(ctx, 1) });
    const running = scheduler(ctx);
    await running.start();
    running.stop();
    expect(await typesOf(ctx, user)).toEqual(["task_due"]);
    expect(ctx.logs.some((line) => line.msg === "raised due-date reminders")).toBe(true);
  });
});

import { describe, expect, test } from "bun:test";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { onPostgres, sqliteOf } from "./support/dialect";
import { createTask, createUser, type TestUser } from "./support/factories";
import type { Message } from "./support/live";

// Which event each change records, with what data and for whom, read back through GET /events
// (the socket delivers the same rows: see realtime-catch-up.test.ts).

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const owner = await createUser(ctx);
  const member = await createUser(ctx);
  const board = await createBoard(ctx, owner);
  await putMember(ctx, board.id, member, "editor");
  return { ctx, owner, member, board };
}

/** Where the feed is now, so a test reads only the events its own changes recorded. */
async function head(ctx: TestContext, user: TestUser) {
  const response = await ctx.request("/api/v1/events", { token: user.accessToken });
  return Number(response.headers.get("x-event-seq"));
}

async function eventsSince(ctx: TestContext, user: TestUser, since: number) {
  const response = await ctx.request(`/api/v1/events?since=${since}&limit=500`, {
    token: user.accessToken,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Message[];
}

const summary = (events: Message[]) => events.map((event) => [event.type, event.board_id]);

async function send(
  ctx: TestContext,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await ctx.request(`/api/v1${path}`, { method, token: user.accessToken, body });
  expect({ path, status: response.status < 300 }).toEqual({ path, status: true });
  return response.status === 204 ? null : ((await response.json()) as Record<string, unknown>);
}

describe("lists", () => {
  test("created, renamed or moved, and deleted with their cards", async () => {
    const { ctx, owner, member, board } = await setup();
    const since = await head(ctx, member);
    const list = await send(ctx, owner, "POST", `/boards/${board.id}/lists`, { name: "Todo" });
    const renamed = await send(ctx, owner, "PATCH", `/lists/${list?.id}`, { name: "Doing" });
    const card = await createCard(ctx, owner, Number(list?.id));
    await send(ctx, owner, "DELETE", `/lists/${list?.id}?cascade=true`);
    const events = await eventsSince(ctx, member, since);
    expect(summary(events)).toEqual([
      ["list.created", board.id],
      ["list.updated", board.id],
      ["task.created", board.id],
      ["task.deleted", board.id],
      ["list.deleted", board.id],
    ]);
    expect(events[0]?.data).toEqual(list ?? {});
    expect(events[1]?.data).toEqual(renamed ?? {});
    expect(events[3]?.data).toEqual({ id: card.id, board_id: board.id, list_id: list?.id });
    expect(events[4]?.data).toEqual({ id: list?.id, board_id: board.id });
  });

  test("a change that changes nothing records nothing", async () => {
    const { ctx, owner, board } = await setup();
    const list = await createList(ctx, owner, board.id, { name: "Same" });
    const since = await head(ctx, owner);
    await send(ctx, owner, "PATCH", `/lists/${list.id}`, { name: "Same" });
    await send(ctx, owner, "PATCH", `/boards/${board.id}`, { name: board.name });
    expect(await eventsSince(ctx, owner, since)).toEqual([]);
  });
});

describe("boards and members", () => {
  test("board.updated carries the board without the reader's role", async () => {
    const { ctx, owner, member, board } = await setup();
    const since = await head(ctx, member);
    const updated = await send(ctx, owner, "PATCH", `/boards/${board.id}`, { name: "Renamed" });
    const [event] = await eventsSince(ctx, member, since);
    const { role: _ownersRole, ...expected } = updated ?? {};
    expect(event).toMatchObject({ type: "board.updated", board_id: board.id, data: expected });
    expect(event?.data).not.toHaveProperty("role");
  });

  test("a new board is its owner's member.added; a handover is member.updated twice and board.updated", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const owner = await createUser(ctx);
    const heir = await createUser(ctx);
    const since = await head(ctx, owner);
    const board = await createBoard(ctx, owner);
    const [added] = await eventsSince(ctx, owner, since);
    expect(added).toMatchObject({
      type: "member.added",
      board_id: board.id,
      data: { user_id: owner.id, role: "owner" },
    });
    await send(ctx, owner, "POST", `/boards/${board.id}/members`, {
      user: heir.username,
      role: "editor",
    });
    const before = await head(ctx, heir);
    await send(ctx, owner, "PATCH", `/boards/${board.id}/members/${heir.id}`, { role: "owner" });
    const events = await eventsSince(ctx, heir, before);
    expect(events.map((event) => [event.type, event.data?.user_id, event.data?.role])).toEqual([
      ["member.updated", heir.id, "owner"],
      ["member.updated", owner.id, "editor"],
      ["board.updated", undefined, undefined],
    ]);
    expect(events[2]?.data?.owner_id).toBe(heir.id);
  });

  test("a member who leaves has their assignments cleared, each a task.updated", async () => {
    const { ctx, owner, member, board } = await setup();
    const list = await createList(ctx, owner, board.id);
    const card = await createCard(ctx, owner, list.id, { assignee_id: member.id });
    const since = await head(ctx, owner);
    await send(ctx, member, "DELETE", `/boards/${board.id}/members/${member.id}`);
    const events = await eventsSince(ctx, owner, since);
    expect(events.map((event) => [event.type, event.data?.id ?? event.data?.user_id])).toEqual([
      ["member.removed", member.id],
      ["task.updated", card.id],
    ]);
    expect(events[1]?.data?.assignee_id).toBeNull();
    // The former member reads their own notice, and nothing else of the board.
    expect(summary(await eventsSince(ctx, member, since))).toEqual([["member.removed", board.id]]);
  });
});

describe("tasks and comments", () => {
  test("a card moved to another board leaves one board's view and enters the other's", async () => {
    const { ctx, owner, member, board } = await setup();
    const other = await createBoard(ctx, owner);
    const from = await createList(ctx, owner, board.id);
    const to = await createList(ctx, owner, other.id);
    const card = await createCard(ctx, owner, from.id);
    const since = await head(ctx, owner);
    const moved = await send(ctx, owner, "PATCH", `/tasks/${card.id}`, { list_id: to.id });
    expect(summary(await eventsSince(ctx, owner, since))).toEqual([
      ["task.deleted", board.id],
      ["task.updated", other.id],
    ]);
    // The member of the first board only hears that it left.
    const theirs = await eventsSince(ctx, member, since);
    expect(theirs.map((event) => [event.type, event.data])).toEqual([
      ["task.deleted", { id: card.id, board_id: board.id, list_id: from.id }],
    ]);
    expect((await eventsSince(ctx, owner, since))[1]?.data).toEqual(moved ?? {});
  });

  test("a personal task moved onto a board becomes the board's", async () => {
    const { ctx, owner, member, board } = await setup();
    const list = await createList(ctx, owner, board.id);
    const task = await createTask(ctx, owner);
    const since = await head(ctx, member);
    await send(ctx, owner, "PATCH", `/tasks/${task.id}`, { list_id: list.id });
    expect(summary(await eventsSince(ctx, member, since))).toEqual([["task.updated", board.id]]);
  });

  test("DELETE /tasks records a task.deleted for each personal task", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const ids = [(await createTask(ctx, user)).id, (await createTask(ctx, user)).id];
    const since = await head(ctx, user);
    expect(await send(ctx, user, "DELETE", "/tasks")).toEqual({ deleted: 2 });
    const events = await eventsSince(ctx, user, since);
    expect(events.map((event) => [event.type, event.board_id, event.data?.id])).toEqual(
      ids.map((id) => ["task.deleted", null, id]),
    );
  });

  test("comments on a card go to the board; on a personal task to its owner alone", async () => {
    const { ctx, owner, member, board } = await setup();
    const list = await createList(ctx, owner, board.id);
    const card = await createCard(ctx, owner, list.id);
    const task = await createTask(ctx, owner);
    const since = await head(ctx, member);
    const comment = await send(ctx, member, "POST", `/tasks/${card.id}/comments`, { body: "Hi" });
    const edited = await send(ctx, member, "PATCH", `/comments/${comment?.id}`, { body: "Hey" });
    await send(ctx, owner, "DELETE", `/comments/${comment?.id}`);
    const personal = await send(ctx, owner, "POST", `/tasks/${task.id}/comments`, { body: "Me" });
    const events = await eventsSince(ctx, member, since);
    expect(events.map((event) => [event.type, event.data])).toEqual([
      ["comment.created", comment ?? {}],
      ["comment.updated", edited ?? {}],
      ["comment.deleted", { id: comment?.id, task_id: card.id }],
    ]);
    const owners = await eventsSince(ctx, owner, since);
    // The owner of the card is also told of the member's comment, in a notification of their own.
    expect(owners.map((event) => event.type)).toEqual([
      "comment.created",
      "notification.created",
      "comment.updated",
      "comment.deleted",
      "comment.created",
    ]);
    expect(owners[4]).toMatchObject({ type: "comment.created", board_id: null, data: personal });
  });
});

// SQLite by nature: the statements are captured on the SQLite connection and explained there.
test.skipIf(onPostgres)(
  "catching up reads the caller's two index ranges, never the whole feed",
  async () => {
    const { ctx, member } = await setup();
    // The statements GET /events runs, captured as it runs them, then explained.
    const seen = new Set<string>();
    const query = sqliteOf(ctx.deps).query.bind(sqliteOf(ctx.deps));
    sqliteOf(ctx.deps).query = ((text: string) => {
      if (/FROM events/.test(text)) seen.add(text);
      return query(text);
    }) as typeof query;
    await eventsSince(ctx, member, 0);
    sqliteOf(ctx.deps).query = query;
    const catchUp = [...seen].find((text) => text.includes("UNION ALL"));
    expect(catchUp).toBeDefined();
    const plan = sqliteOf(ctx.deps)
      .prepare<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${catchUp}`)
      .all()
      .map((row) => row.detail);
    expect(plan.join("\n")).toContain("events USING INDEX events_user_seq_idx");
    expect(plan.join("\n")).toContain("events USING INDEX events_board_seq_idx");
    expect(plan.filter((detail) => /^SCAN events/.test(detail))).toEqual([]);
  },
);

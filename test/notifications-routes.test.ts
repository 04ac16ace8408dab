import { describe, expect, test } from "bun:test";
import { createTestContext, type TestContext } from "./support/app";
import { addMember, createBoard } from "./support/boards";
import { createUser, expectProblem, type TestUser } from "./support/factories";
import { inbox } from "./support/notifications";

/** `count` notifications for `user`: each board they are added to raises one. */
async function notify(ctx: TestContext, user: TestUser, count: number) {
  const owner = await createUser(ctx);
  for (let i = 0; i < count; i++) {
    const board = await createBoard(ctx, owner, { name: `Board ${i}` });
    await addMember(ctx, owner, board.id, user, "viewer");
  }
}

function post(ctx: TestContext, user: TestUser, path: string) {
  return ctx.request(`/api/v1/notifications${path}`, { method: "POST", token: user.accessToken });
}

function remove(ctx: TestContext, user: TestUser, id: number) {
  return ctx.request(`/api/v1/notifications/${id}`, { method: "DELETE", token: user.accessToken });
}

describe("the notification routes", () => {
  test("refuse anonymous callers", async () => {
    const ctx = await createTestContext();
    for (const [method, path] of [
      ["GET", "/api/v1/notifications"],
      ["POST", "/api/v1/notifications/1/read"],
      ["POST", "/api/v1/notifications/read-all"],
      ["DELETE", "/api/v1/notifications/1"],
    ] as const) {
      const response = await ctx.request(path, { method });
      await expectProblem(response, 401, "unauthorized_error");
      expect(response.headers.get("www-authenticate")).toStartWith("Bearer");
    }
  });

  test("list newest first (ties by id), paginated, with total, links and the unread count", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await notify(ctx, user, 2);
    ctx.clock.advance(1000);
    await notify(ctx, user, 1);
    const all = await inbox(ctx, user);
    expect(all.items.map((n) => n.title.match(/“(.*)”/)?.[1])).toEqual([
      "Board 0",
      "Board 1",
      "Board 0",
    ]);
    const ids = all.items.map((n) => n.id);
    // The two at the same instant: the later id first.
    expect(ids[1]).toBeGreaterThan(ids[2] ?? Infinity);
    expect(all.items[0]?.created_at).toBe(new Date(ctx.clock.now()).toISOString());

    const page = await inbox(ctx, user, "?limit=2&offset=1");
    expect(page.items.map((n) => n.id)).toEqual(ids.slice(1));
    expect(page.total).toBe(3);
    expect(page.unread).toBe(3);
    expect(page.link).toContain('</api/v1/notifications?limit=2&offset=0>; rel="prev"');
    const first = await inbox(ctx, user, "?limit=2");
    expect(first.link).toContain('</api/v1/notifications?limit=2&offset=2>; rel="next"');
    expect((await inbox(ctx, user, "?offset=5")).items).toEqual([]);
  });

  test("reading one is idempotent; the unread filter and count follow", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await notify(ctx, user, 3);
    const [newest, middle] = (await inbox(ctx, user)).items;
    if (!newest || !middle) throw new Error("notifications missing");

    ctx.clock.advance(5000);
    const read = await post(ctx, user, `/${middle.id}/read`);
    expect(read.status).toBe(200);
    const readAt = new Date(ctx.clock.now()).toISOString();
    expect(await read.json()).toEqual({ ...middle, read_at: readAt });
    ctx.clock.advance(5000);
    const again = await post(ctx, user, `/${middle.id}/read`);
    expect(((await again.json()) as { read_at: string }).read_at).toBe(readAt);

    const unread = await inbox(ctx, user, "?unread=true");
    expect(unread.items.map((n) => n.id)).not.toContain(middle.id);
    expect(unread).toMatchObject({ total: 2, unread: 2 });
    const readOnly = await inbox(ctx, user, "?unread=false");
    expect(readOnly.items.map((n) => n.id)).toEqual([middle.id]);
    // X-Unread-Count counts all unread, whatever the filter.
    expect(readOnly).toMatchObject({ total: 1, unread: 2 });
  });

  test("read-all marks the rest read and says how many", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const other = await createUser(ctx);
    await notify(ctx, user, 3);
    await notify(ctx, other, 1);
    const first = (await inbox(ctx, user)).items[0];
    await post(ctx, user, `/${first?.id}/read`);

    const response = await post(ctx, user, "/read-all");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ updated: 2 });
    expect(await (await post(ctx, user, "/read-all")).json()).toEqual({ updated: 0 });
    expect((await inbox(ctx, user)).unread).toBe(0);
    expect((await inbox(ctx, user)).items.every((n) => n.read_at !== null)).toBe(true);
    // Someone else's are untouched.
    expect((await inbox(ctx, other)).unread).toBe(1);
  });

  test("delete removes one; unknown, already deleted and another user's are 404", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    const other = await createUser(ctx);
    await notify(ctx, user, 2);
    await notify(ctx, other, 1);
    const [mine] = (await inbox(ctx, user)).items;
    const [theirs] = (await inbox(ctx, other)).items;
    if (!mine || !theirs) throw new Error("notifications missing");

    expect((await remove(ctx, user, mine.id)).status).toBe(204);
    expect((await inbox(ctx, user)).items.map((n) => n.id)).not.toContain(mine.id);
    expect((await inbox(ctx, user)).total).toBe(1);
    await expectProblem(await remove(ctx, user, mine.id), 404, "not_found");
    await expectProblem(await remove(ctx, user, theirs.id), 404, "not_found");
    await expectProblem(await post(ctx, user, `/${theirs.id}/read`), 404, "not_found");
    await expectProblem(await post(ctx, user, "/999999/read"), 404, "not_found");
    const untouched = (await inbox(ctx, other)).items;
    expect(untouched).toEqual([theirs]);
  });

  test("bad parameters are 422, never a 500", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    for (const query of ["?unread=maybe", "?limit=0", "?limit=201", "?offset=-1", "?colour=red"]) {
      const response = await ctx.request(`/api/v1/notifications${query}`, {
        token: user.accessToken,
      });
      await expectProblem(response, 422, "validation_error");
    }
    for (const id of ["abc", "0", "1.5", "99999999999999999999"]) {
      await expectProblem(await post(ctx, user, `/${id}/read`), 422, "validation_error");
      const deleted = await ctx.request(`/api/v1/notifications/${id}`, {
        method: "DELETE",
        token: user.accessToken,
      });
      await expectProblem(deleted, 422, "validation_error");
    }
    const withBody = await ctx.request("/api/v1/notifications/read-all", {
      method: "POST",
      token: user.accessToken,
      body: { all: true },
    });
    await expectProblem(withBody, 422, "validation_error");
  });
});

describe("the account's notifications", () => {
  test("are in the data export, and go with the account", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await notify(ctx, user, 2);
    const { items } = await inbox(ctx, user);
    const exported = await ctx.request("/api/v1/users/me/export", { token: user.accessToken });
    expect(exported.status).toBe(200);
    const document = (await exported.json()) as { notifications: unknown[] };
    expect(document.notifications).toEqual([...items].reverse());

    const deleted = await ctx.request("/api/v1/users/me", {
      method: "DELETE",
      token: user.accessToken,
      body: { password: user.password },
    });
    expect(deleted.status).toBe(204);
    const left = await ctx.deps.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM notifications WHERE user_id = ?",
      [user.id],
    );
    expect(left?.n).toBe(0);
  });

  test("notices about a board go when the board does", async () => {
    const ctx = await createTestContext();
    const owner = await createUser(ctx);
    const user = await createUser(ctx);
    const board = await createBoard(ctx, owner);
    await addMember(ctx, owner, board.id, user, "viewer");
    expect((await inbox(ctx, user)).total).toBe(1);
    const response = await ctx.request(`/api/v1/boards/${board.id}`, {
      method: "DELETE",
      token: owner.accessToken,
    });
    expect(response.status).toBe(204);
    expect((await inbox(ctx, user)).total).toBe(0);
  });
});

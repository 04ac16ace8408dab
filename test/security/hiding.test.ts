import { describe, expect, test } from "bun:test";
import { createUserWithRole } from "../support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "../support/app";
import { claimsOf, protectedRoutes, type RouteRef } from "../support/authz";
import { createBoard, createCard, createList } from "../support/boards";
import { createTask, createUser, type TestUser } from "../support/factories";
import { problemDefect } from "./helpers";

/**
 * One row per route with an id in its path: how the owner makes such a resource, what to send,
 * what the owner gets, and a snapshot that must not change when someone else tries. A route with
 * an id that has no row here fails the first test, so new routes cannot skip the check.
 */
interface Probe {
  create: (ctx: TestContext, owner: TestUser) => Promise<number>;
  /** The value of a second path parameter (`:user_id`), if the route has one. */
  other?: (owner: TestUser) => number;
  body?: unknown;
  ownerStatus: number;
  snapshot: (ctx: TestContext, owner: TestUser, id: number) => Promise<unknown>;
}

const newTask = async (ctx: TestContext, owner: TestUser) => (await createTask(ctx, owner)).id;

async function readTask(ctx: TestContext, owner: TestUser, id: number) {
  const response = await ctx.request(`/api/v1/tasks/${id}`, { token: owner.accessToken });
  return { status: response.status, body: await response.json() };
}

async function readSessions(ctx: TestContext, owner: TestUser) {
  const response = await ctx.request("/api/v1/auth/sessions", { token: owner.accessToken });
  return { status: response.status, body: await response.json() };
}

/** A notification of the owner's: someone else adds them to a board. */
async function newNotification(ctx: TestContext, owner: TestUser) {
  const someone = await createUser(ctx);
  const board = await createBoard(ctx, someone);
  await ctx.request(`/api/v1/boards/${board.id}/members`, {
    token: someone.accessToken,
    body: { user: owner.username, role: "viewer" },
  });
  const response = await ctx.request("/api/v1/notifications", { token: owner.accessToken });
  const [notification] = (await response.json()) as { id: number }[];
  if (!notification) throw new Error("no notification");
  return notification.id;
}

async function readNotifications(ctx: TestContext, owner: TestUser) {
  const response = await ctx.request("/api/v1/notifications", { token: owner.accessToken });
  return { status: response.status, body: await response.json() };
}

/** A board of the owner's with a list, a card and a comment; the ids its rows start from. */
async function ownerBoard(ctx: TestContext, owner: TestUser) {
  const board = await createBoard(ctx, owner);
  const list = await createList(ctx, owner, board.id);
  const card = await createCard(ctx, owner, list.id);
  const response = await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
    token: owner.accessToken,
    body: { body: "mine" },
  });
  const comment = (await response.json()) as { id: number };
  return { board, list, card, comment };
}

/** Everything on the owner's boards, as the owner reads it. */
async function readBoards(ctx: TestContext, owner: TestUser) {
  const get = async (path: string) =>
    (await ctx.request(path, { token: owner.accessToken })).json() as Promise<unknown>;
  const boards = (await get("/api/v1/boards")) as { id: number }[];
  const state = [];
  for (const { id } of boards) {
    const detail = (await get(`/api/v1/boards/${id}`)) as {
      lists: { cards: { id: number }[] }[];
    };
    const cards = detail.lists.flatMap((list) => list.cards);
    const comments = await Promise.all(
      cards.map((card) => get(`/api/v1/tasks/${card.id}/comments`)),
    );
    state.push({ detail, comments });
  }
  return state;
}

const boardProbe = (
  pick: (made: Awaited<ReturnType<typeof ownerBoard>>) => number,
  ownerStatus: number,
  extra: Partial<Probe> = {},
): Probe => ({
  create: async (ctx, owner) => pick(await ownerBoard(ctx, owner)),
  ownerStatus,
  snapshot: (ctx, owner) => readBoards(ctx, owner),
  ...extra,
});

const MATRIX: Record<string, Probe> = {
  "GET /api/v1/boards/:id": boardProbe((m) => m.board.id, 200),
  "PATCH /api/v1/boards/:id": boardProbe((m) => m.board.id, 200, { body: { name: "Mallory's" } }),
  "DELETE /api/v1/boards/:id": boardProbe((m) => m.board.id, 204),
  "GET /api/v1/boards/:id/members": boardProbe((m) => m.board.id, 200),
  "POST /api/v1/boards/:id/members": boardProbe((m) => m.board.id, 409, {
    // The owner adding themselves: they are already a member.
    body: { user: "placeholder", role: "editor" },
  }),
  "PATCH /api/v1/boards/:id/members/:user_id": boardProbe((m) => m.board.id, 200, {
    other: (owner) => owner.id,
    body: { role: "owner" },
  }),
  "DELETE /api/v1/boards/:id/members/:user_id": boardProbe((m) => m.board.id, 409, {
    other: (owner) => owner.id,
  }),
  "POST /api/v1/boards/:id/lists": boardProbe((m) => m.board.id, 201, { body: { name: "Evil" } }),
  "GET /api/v1/boards/:id/activity": boardProbe((m) => m.board.id, 200),
  "GET /api/v1/lists/:id": boardProbe((m) => m.list.id, 200),
  "PATCH /api/v1/lists/:id": boardProbe((m) => m.list.id, 200, { body: { name: "Evil" } }),
  "DELETE /api/v1/lists/:id": boardProbe((m) => m.list.id, 409),
  "GET /api/v1/tasks/:id/comments": boardProbe((m) => m.card.id, 200),
  "POST /api/v1/tasks/:id/comments": boardProbe((m) => m.card.id, 201, { body: { body: "hi" } }),
  "GET /api/v1/comments/:id": boardProbe((m) => m.comment.id, 200),
  "PATCH /api/v1/comments/:id": boardProbe((m) => m.comment.id, 200, { body: { body: "Evil" } }),
  "DELETE /api/v1/comments/:id": boardProbe((m) => m.comment.id, 204),
  "GET /api/v1/tasks/:id": { create: newTask, ownerStatus: 200, snapshot: readTask },
  "PUT /api/v1/tasks/:id": {
    create: newTask,
    body: { title: "Mallory was here", priority: 4 },
    ownerStatus: 200,
    snapshot: readTask,
  },
  "PATCH /api/v1/tasks/:id": {
    create: newTask,
    body: { completed: true, tags: ["pwned"] },
    ownerStatus: 200,
    snapshot: readTask,
  },
  "DELETE /api/v1/tasks/:id": { create: newTask, ownerStatus: 204, snapshot: readTask },
  "DELETE /api/v1/auth/sessions/:id": {
    // A second session, so the owner's own token survives the owner's delete at the end.
    create: async (ctx, owner) => {
      const response = await ctx.request("/api/v1/auth/login", {
        body: { email: owner.email, password: owner.password },
      });
      const { access_token } = (await response.json()) as { access_token: string };
      return claimsOf(access_token).sessionId;
    },
    ownerStatus: 204,
    snapshot: (ctx, owner) => readSessions(ctx, owner),
  },
  "POST /api/v1/notifications/:id/read": {
    create: newNotification,
    ownerStatus: 200,
    snapshot: readNotifications,
  },
  "DELETE /api/v1/notifications/:id": {
    create: newNotification,
    ownerStatus: 204,
    snapshot: readNotifications,
  },
};

/** Role-gated routes: anyone below the role is refused before the id is even looked up. */
const isAdminRoute = (route: RouteRef) => route.path.startsWith("/api/v1/admin/");
const hasParam = (route: RouteRef) => route.path.includes("/:");
const key = (route: RouteRef) => `${route.method} ${route.path}`;
const MISSING_ID = 987_654;

/** A member addition names the owner (so the owner's own call is the 409 of a duplicate). */
function withUser(body: unknown, owner: TestUser): unknown {
  if (typeof body !== "object" || body === null || !("user" in body)) return body;
  return { ...body, user: owner.username };
}

async function refusal(response: Response) {
  const text = await response.text();
  expect(problemDefect(response, text)).toBeNull();
  const { status, code, title, detail } = JSON.parse(text) as Record<string, unknown>;
  return { status, code, title, detail };
}

describe("a resource of someone else is 404, never 403, on every route with an id", () => {
  test("every route with an id in its path has a row in the matrix", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const routes = protectedRoutes(ctx).filter((route) => hasParam(route) && !isAdminRoute(route));
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(MATRIX).length);
    expect(routes.map(key).filter((name) => !(name in MATRIX))).toEqual([]);
  });

  for (const [name, probe] of Object.entries(MATRIX)) {
    test(name, async () => {
      const ctx = await createTestContext(UNTHROTTLED_ENV);
      const [method = "", path = ""] = name.split(" ");
      const owner = await createUser(ctx);
      const intruder = await createUser(ctx);
      const id = await probe.create(ctx, owner);
      const before = await probe.snapshot(ctx, owner, id);
      const call = (user: TestUser, target: number) =>
        ctx.request(
          path
            .replace(":id", String(target))
            .replace(":user_id", String(probe.other?.(owner) ?? MISSING_ID)),
          { method, token: user.accessToken, body: withUser(probe.body, owner) },
        );

      const missing = await refusal(await call(intruder, MISSING_ID));
      expect(missing).toMatchObject({ status: 404, code: "not_found" });
      // Word for word what an id that does not exist gets.
      expect(await refusal(await call(intruder, id))).toEqual(missing);
      expect(await probe.snapshot(ctx, owner, id)).toEqual(before);

      // The id was real all along: its owner gets through.
      expect((await call(owner, id)).status).toBe(probe.ownerStatus);
      expect(await refusal(await call(owner, MISSING_ID))).toEqual(missing);
    });
  }
});

describe("role-gated routes with an id do not reveal whether it exists", () => {
  test("a plain user gets the same 403 for a real id and a missing one", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const user = await createUser(ctx);
    const routes = protectedRoutes(ctx).filter((route) => hasParam(route) && isAdminRoute(route));
    expect(routes.map(key)).toEqual(expect.arrayContaining(["GET /api/v1/admin/users/:id"]));
    for (const route of routes) {
      const call = (target: number) =>
        ctx.request(route.path.replace(/:[a-z_]+/g, String(target)), {
          method: route.method,
          token: user.accessToken,
          body: route.method === "PATCH" ? { is_active: false } : undefined,
        });
      const real = await refusal(await call(admin.id));
      expect(real).toMatchObject({ status: 403, code: "forbidden_access" });
      expect(await refusal(await call(MISSING_ID))).toEqual(real);
    }
    const still = await ctx.request("/api/v1/users/me", { token: admin.accessToken });
    expect(still.status).toBe(200);
  });
});

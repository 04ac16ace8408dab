import { afterEach, describe, expect, test } from "bun:test";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { createTask, createUser, type TestUser } from "./support/factories";
import { createLiveContext, isEvent, type LiveContext, type TestSocket } from "./support/live";

// The WebSocket over real connections: who receives what, and when a socket is refused or closed.

let live: LiveContext;
afterEach(() => live?.stop());

async function ready(socket: TestSocket) {
  return socket.next((message) => message.type === "ready");
}

/** Connects and waits until the socket is live. */
async function connected(user: TestUser, since?: number) {
  const socket = await live.connect(user.accessToken, { since });
  await ready(socket);
  return socket;
}

/**
 * A negative check without sleeping: the user makes a personal task, which reaches only their
 * own sockets; the next event the socket receives must be that one, so nothing came before it.
 */
async function expectNothingBefore(user: TestUser, socket: TestSocket) {
  const task = await createTask(live, user, { title: `sentinel of ${user.username}` });
  const next = await socket.next(isEvent);
  expect({ type: next.type, id: next.data?.id }).toEqual({ type: "task.created", id: task.id });
}

function upgradeRequest(query = "", headers: Record<string, string> = {}) {
  return fetch(`${live.origin}/api/v1/ws${query}`, {
    headers: {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...headers,
    },
  });
}

describe("connecting", () => {
  test("without a valid access token the upgrade is refused with a 401 problem, not a 101", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const tampered = `${user.accessToken.slice(0, -2)}xx`;
    for (const query of [
      "",
      "?access_token=",
      `?access_token=${tampered}`,
      "?access_token=a.b.c",
    ]) {
      const response = await upgradeRequest(query);
      expect({ query, status: response.status }).toEqual({ query, status: 401 });
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      expect(((await response.json()) as { code: string }).code).toBe("unauthorized_error");
    }
    const viaProtocol = await upgradeRequest("", {
      "sec-websocket-protocol": `bearer, ${tampered}`,
    });
    expect(viaProtocol.status).toBe(401);
    await expect(live.connect(tampered)).rejects.toThrow("refused");
  });

  test("a logged-out session's token is refused too", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    await live.request("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    expect((await upgradeRequest(`?access_token=${user.accessToken}`)).status).toBe(401);
  });

  test("the bearer subprotocol pair authenticates, and the server selects `bearer`", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    await createTask(live, user);
    const socket = await live.connect(user.accessToken, { viaProtocol: true });
    expect(socket.raw.protocol).toBe("bearer");
    // Live from the feed's end, as GET /events reports it (past the task's event).
    const feedEnd = await live.request("/api/v1/events", { token: user.accessToken });
    const head = Number(feedEnd.headers.get("x-event-seq"));
    expect(head).toBeGreaterThan(0);
    expect((await ready(socket)).seq).toBe(head);
  });

  test("a plain GET with a valid token is a 400 problem; a bad since is 422", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const plain = await fetch(`${live.origin}/api/v1/ws?access_token=${user.accessToken}`);
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { detail: string }).detail).toContain("WebSocket");
    for (const since of ["-1", "x", "1.5", "9007199254740992"]) {
      const response = await upgradeRequest(`?access_token=${user.accessToken}&since=${since}`);
      expect({ since, status: response.status }).toEqual({ since, status: 422 });
    }
  });

  test("WS_MAX_PER_USER sockets per user; one more is refused with 429 and Retry-After", async () => {
    live = await createLiveContext({ WS_MAX_PER_USER: "2" });
    const user = await createUser(live);
    const other = await createUser(live);
    await connected(user);
    await connected(user);
    const refused = await upgradeRequest(`?access_token=${user.accessToken}`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    // Another user is not affected.
    await connected(other);
  });
});

describe("who receives an event", () => {
  test("every member's sockets get a card's events with the REST resource; others get nothing", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const editor = await createUser(live);
    const viewer = await createUser(live);
    const outsider = await createUser(live);
    const board = await createBoard(live, owner);
    await putMember(live, board.id, editor, "editor");
    await putMember(live, board.id, viewer, "viewer");
    const list = await createList(live, owner, board.id);
    const sockets = {
      owner: await connected(owner),
      editor: await connected(editor),
      viewer: await connected(viewer),
      outsider: await connected(outsider),
    };
    const card = await createCard(live, editor, list.id, { title: "Ship it" });
    for (const name of ["owner", "editor", "viewer"] as const) {
      const event = await sockets[name].next(isEvent);
      expect({ name, type: event.type, board_id: event.board_id }).toEqual({
        name,
        type: "task.created",
        board_id: board.id,
      });
      expect(event.data).toEqual(card as unknown as Record<string, unknown>);
      expect(Date.parse(event.at ?? "")).not.toBeNaN();
    }
    await expectNothingBefore(outsider, sockets.outsider);
  });

  test("a personal task goes to every socket of its owner, and to no one else", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const other = await createUser(live);
    const phone = await connected(owner);
    const laptop = await connected(owner);
    const stranger = await connected(other);
    const task = await createTask(live, owner, { title: "Mine" });
    for (const socket of [phone, laptop]) {
      const event = await socket.next(isEvent);
      expect({ type: event.type, board_id: event.board_id, id: event.data?.id }).toEqual({
        type: "task.created",
        board_id: null,
        id: task.id,
      });
    }
    const patched = await live.request(`/api/v1/tasks/${task.id}`, {
      method: "PATCH",
      token: owner.accessToken,
      body: { completed: true },
    });
    const updated = await phone.next(isEvent);
    expect(updated.type).toBe("task.updated");
    expect(updated.data).toEqual((await patched.json()) as Record<string, unknown>);
    await live.request(`/api/v1/tasks/${task.id}`, { method: "DELETE", token: owner.accessToken });
    expect(await phone.next(isEvent)).toMatchObject({
      type: "task.deleted",
      data: { id: task.id },
    });
    await expectNothingBefore(other, stranger);
  });

  test("a removed member's board events stop at once; they are told of their removal", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const member = await createUser(live);
    const board = await createBoard(live, owner);
    await putMember(live, board.id, member, "editor");
    const list = await createList(live, owner, board.id);
    const socket = await connected(member);
    const removed = await live.request(`/api/v1/boards/${board.id}/members/${member.id}`, {
      method: "DELETE",
      token: owner.accessToken,
    });
    expect(removed.status).toBe(204);
    expect(await socket.next(isEvent)).toMatchObject({
      type: "member.removed",
      board_id: board.id,
      data: { board_id: board.id, user_id: member.id },
    });
    await createCard(live, owner, list.id);
    await expectNothingBefore(member, socket);
  });

  test("a member added while connected starts receiving the board's events", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const newcomer = await createUser(live);
    const board = await createBoard(live, owner);
    const list = await createList(live, owner, board.id);
    const socket = await connected(newcomer);
    const added = await live.request(`/api/v1/boards/${board.id}/members`, {
      token: owner.accessToken,
      body: { user: newcomer.username, role: "viewer" },
    });
    expect(added.status).toBe(201);
    expect(await socket.next(isEvent)).toMatchObject({
      type: "member.added",
      data: { user_id: newcomer.id, role: "viewer" },
    });
    expect(await socket.next(isEvent)).toMatchObject({
      type: "notification.created",
      board_id: board.id,
      data: { type: "board_member_added", board_id: board.id },
    });
    const card = await createCard(live, owner, list.id);
    expect(await socket.next(isEvent)).toMatchObject({
      type: "task.created",
      data: { id: card.id },
    });
  });

  test("a deleted board is announced to each member, who then hears nothing more of it", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const member = await createUser(live);
    const board = await createBoard(live, owner);
    await putMember(live, board.id, member, "viewer");
    const ownerSocket = await connected(owner);
    const memberSocket = await connected(member);
    await live.request(`/api/v1/boards/${board.id}`, {
      method: "DELETE",
      token: owner.accessToken,
    });
    for (const socket of [ownerSocket, memberSocket]) {
      expect(await socket.next(isEvent)).toMatchObject({
        type: "board.deleted",
        board_id: board.id,
        data: { id: board.id },
      });
    }
    await expectNothingBefore(member, memberSocket);
  });

  test("a failed change sends nothing: only committed changes are events", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const board = await createBoard(live, owner);
    const list = await createList(live, owner, board.id);
    const card = await createCard(live, owner, list.id);
    const socket = await connected(owner);
    const stale = await live.request(`/api/v1/tasks/${card.id}`, {
      method: "PATCH",
      token: owner.accessToken,
      headers: { "if-match": '"0.0"' },
      body: { title: "never" },
    });
    expect(stale.status).toBe(412);
    const holding = await live.request(`/api/v1/lists/${list.id}`, {
      method: "DELETE",
      token: owner.accessToken,
    });
    expect(holding.status).toBe(409);
    await expectNothingBefore(owner, socket);
  });
});

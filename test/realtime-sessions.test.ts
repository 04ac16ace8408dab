import { afterEach, describe, expect, test } from "bun:test";
import type { Socket } from "../src/modules/realtime/hub";
import { socketData } from "../src/modules/realtime/socket";
import { createUserWithRole } from "./support/accounts";
import { createTask, createUser, login, type TestUser } from "./support/factories";
import { createLiveContext, isEvent, type LiveContext, type TestSocket } from "./support/live";

// A socket belongs to its session: whatever ends the session closes the socket with 4001.

let live: LiveContext;
afterEach(() => live?.stop());

const SESSION_ENDED = 4001;

async function connected(token: string): Promise<TestSocket> {
  const socket = await live.connect(token);
  await socket.next((message) => message.type === "ready");
  return socket;
}

/** A second session (another device) of the same user. */
async function secondDevice(user: TestUser) {
  const tokens = await login(live, user.email, user.password);
  return { ...user, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

async function expectOpen(user: TestUser, socket: TestSocket) {
  const task = await createTask(live, user);
  expect(await socket.next(isEvent)).toMatchObject({ type: "task.created", data: { id: task.id } });
}

describe("ending a session closes its sockets with 4001", () => {
  test("logout closes that session's socket and leaves the other device's open", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const other = await secondDevice(user);
    const socket = await connected(user.accessToken);
    const kept = await connected(other.accessToken);
    await live.request("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    expect((await socket.closed).code).toBe(SESSION_ENDED);
    await expectOpen(other, kept);
  });

  test("revoking a session by id closes its socket", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const other = await secondDevice(user);
    const socket = await connected(other.accessToken);
    const sessions = (await (
      await live.request("/api/v1/auth/sessions", { token: user.accessToken })
    ).json()) as { id: number; current: boolean }[];
    const target = sessions.find((session) => !session.current);
    const revoked = await live.request(`/api/v1/auth/sessions/${target?.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(revoked.status).toBe(204);
    expect((await socket.closed).code).toBe(SESSION_ENDED);
  });

  test("logout-all closes every socket of the user", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const other = await secondDevice(user);
    const sockets = [await connected(user.accessToken), await connected(other.accessToken)];
    await live.request("/api/v1/auth/logout-all", { method: "POST", token: user.accessToken });
    for (const socket of sockets) expect((await socket.closed).code).toBe(SESSION_ENDED);
  });

  test("a password change closes the other sessions' sockets, not the one in use", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const other = await secondDevice(user);
    const current = await connected(user.accessToken);
    const elsewhere = await connected(other.accessToken);
    const changed = await live.request("/api/v1/users/me/password", {
      token: user.accessToken,
      body: { current_password: user.password, new_password: "Another-sturdy-passphrase-9" },
    });
    expect(changed.status).toBe(204);
    expect((await elsewhere.closed).code).toBe(SESSION_ENDED);
    expect(await current.next(isEvent)).toMatchObject({
      type: "notification.created",
      data: { type: "password_changed" },
    });
    await expectOpen(user, current);
  });

  test("deactivation by an admin closes the user's sockets", async () => {
    live = await createLiveContext();
    const admin = await createUserWithRole(live, "admin");
    const user = await createUser(live);
    const socket = await connected(user.accessToken);
    const patched = await live.request(`/api/v1/admin/users/${user.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      body: { is_active: false },
    });
    expect(patched.status).toBe(200);
    expect((await socket.closed).code).toBe(SESSION_ENDED);
  });

  test("account deletion closes the sockets and removes the events only it could read", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    await createTask(live, user);
    const socket = await connected(user.accessToken);
    const deleted = await live.request("/api/v1/users/me", {
      method: "DELETE",
      token: user.accessToken,
      body: { password: user.password },
    });
    expect(deleted.status).toBe(204);
    expect((await socket.closed).code).toBe(SESSION_ENDED);
    const left = await live.deps.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM events WHERE user_id = ? AND type <> 'sessions.ended'",
      [user.id],
    );
    expect(left?.n).toBe(0);
  });

  test("a session that ended between the upgrade and the open: the socket closes at open", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const claims = JSON.parse(atob(user.accessToken.split(".")[1] ?? "")) as { sid: number };
    await live.request("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    // What the upgrade handed to the socket before the session ended; the socket then opens.
    const data = socketData(
      live.deps,
      live.deps.realtime,
      { userId: user.id, sessionId: claims.sid },
      null,
    );
    const closes: number[] = [];
    const socket = {
      data,
      close: (code: number) => closes.push(code),
      send: () => 0,
      subscribe: () => {},
    } as unknown as Socket;
    await data.open(socket);
    expect(closes).toEqual([SESSION_ENDED]);
    data.close(socket);
    expect(live.deps.realtime.hub.countOf(user.id)).toBe(0);
  });
});

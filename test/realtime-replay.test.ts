import { afterEach, describe, expect, test } from "bun:test";
import type { Deps } from "../src/deps";
import type { Socket } from "../src/modules/realtime/hub";
import { socketData } from "../src/modules/realtime/socket";
import type { Sql } from "../src/platform/db/sql";
import { createTask, createUser, type TestUser } from "./support/factories";
import { createLiveContext, type LiveContext } from "./support/live";

/**
 * The replay's reads are asynchronous, so the feed can deliver while one is under way. These
 * tests hold a socket's reads at chosen points (a stand-in socket, `Sql` wrapped) and check that
 * each event still reaches it exactly once, in order, before or after "ready".
 */

let live: LiveContext | undefined;
afterEach(async () => {
  await live?.stop();
  live = undefined;
});

interface FakeSocket {
  socket: Socket;
  sent: { type: string; seq?: number; data?: { id?: number } }[];
  topics: string[];
  closes: number[];
  setState(state: number): void;
}

function fakeSocket(data: ReturnType<typeof socketData>): FakeSocket {
  const sent: FakeSocket["sent"] = [];
  const topics: string[] = [];
  const closes: number[] = [];
  let readyState = 1;
  const socket = {
    data,
    get readyState() {
      return readyState;
    },
    send: (message: string) => {
      sent.push(JSON.parse(message));
      return message.length;
    },
    subscribe: (topic: string) => topics.push(topic),
    unsubscribe: () => {},
    close: (code: number) => {
      closes.push(code);
      readyState = 3;
    },
    getBufferedAmount: () => 0,
  } as unknown as Socket;
  return { socket, sent, topics, closes, setState: (state) => (readyState = state) };
}

/** `sql` whose reads of board memberships first run `before` (once). */
function holdingMemberships(sql: Sql, before: () => Promise<void>): Sql {
  let pending: (() => Promise<void>) | null = before;
  return {
    ...sql,
    transaction: sql.transaction.bind(sql),
    onTransactionEnd: sql.onTransactionEnd.bind(sql),
    close: sql.close.bind(sql),
    run: sql.run.bind(sql),
    get: sql.get.bind(sql),
    async all<T>(text: string, params?: readonly (string | number | null)[]) {
      if (pending && /FROM board_members WHERE user_id/.test(text)) {
        const step = pending;
        pending = null;
        await step();
      }
      return sql.all<T>(text, params);
    },
  };
}

function openWith(ctx: LiveContext, user: TestUser, sql: Sql, since: number | null) {
  const deps: Deps = { ...ctx.deps, sql };
  const sessionId = (JSON.parse(atob(user.accessToken.split(".")[1] ?? "")) as { sid: number }).sid;
  const data = socketData(deps, ctx.deps.realtime, { userId: user.id, sessionId }, since);
  const fake = fakeSocket(data);
  ctx.deps.realtime.hub.add(fake.socket);
  return { data, fake };
}

describe("a replay that the feed overtakes", () => {
  test("an event delivered while the replay read its boards is replayed once, before ready", async () => {
    live = await createLiveContext();
    const ctx = live;
    const user = await createUser(ctx);
    const first = await createTask(ctx, user);
    const since = ctx.deps.realtime.feed.cursor();
    const second = await createTask(ctx, user);
    let third: { id: number } | null = null;
    const sql = holdingMemberships(ctx.deps.sql, async () => {
      // Committed and delivered to the topics while this socket has not joined them yet.
      third = await createTask(ctx, user);
    });
    const { data, fake } = openWith(ctx, user, sql, since);
    await data.open(fake.socket);

    const events = fake.sent.filter((message) => message.type === "task.created");
    expect(events.map((message) => message.data?.id)).toEqual([
      second.id,
      (third as { id: number } | null)?.id,
    ]);
    expect(events.map((message) => message.data?.id)).not.toContain(first.id);
    const ready = fake.sent.at(-1);
    expect(ready?.type).toBe("ready");
    expect(ready?.seq).toBe(ctx.deps.realtime.feed.cursor());
    expect(fake.topics).toContain(`user:${user.id}`);
    data.close(fake.socket);
  });

  test("without since, what went out before the socket joined its topics is still sent", async () => {
    live = await createLiveContext();
    const ctx = live;
    const user = await createUser(ctx);
    let created: { id: number } | null = null;
    const sql = holdingMemberships(ctx.deps.sql, async () => {
      created = await createTask(ctx, user);
    });
    const { data, fake } = openWith(ctx, user, sql, null);
    await data.open(fake.socket);
    expect(fake.sent.map((message) => message.type)).toEqual(["task.created", "ready"]);
    expect(fake.sent[0]?.data?.id).toBe((created as { id: number } | null)?.id);
    data.close(fake.socket);
  });

  test("a socket that closed while its replay read does not subscribe", async () => {
    live = await createLiveContext();
    const ctx = live;
    const user = await createUser(ctx);
    let fakeRef: FakeSocket | null = null;
    const sql = holdingMemberships(ctx.deps.sql, async () => {
      fakeRef?.setState(3);
    });
    const { data, fake } = openWith(ctx, user, sql, null);
    fakeRef = fake;
    await data.open(fake.socket);
    expect(fake.topics).toEqual([]);
    expect(fake.sent).toEqual([]);
    data.close(fake.socket);
  });

  test("a read that fails closes that socket with 1011 and logs why", async () => {
    live = await createLiveContext();
    const ctx = live;
    const user = await createUser(ctx);
    const sql = holdingMemberships(ctx.deps.sql, async () => {
      throw new Error("database gone");
    });
    const { data, fake } = openWith(ctx, user, sql, null);
    await data.open(fake.socket);
    expect(fake.closes).toEqual([1011]);
    expect(fake.topics).toEqual([]);
    expect(ctx.logs.some((line) => line.msg === "socket setup failed")).toBe(true);
    data.close(fake.socket);
  });

  test("a drain during a replay step starts no second replay", async () => {
    live = await createLiveContext();
    const ctx = live;
    const user = await createUser(ctx);
    let drained = false;
    let fakeRef: FakeSocket | null = null;
    let dataRef: ReturnType<typeof socketData> | null = null;
    const sql = holdingMemberships(ctx.deps.sql, async () => {
      if (fakeRef && dataRef) dataRef.drain(fakeRef.socket);
      drained = true;
    });
    const { data, fake } = openWith(ctx, user, sql, 0);
    fakeRef = fake;
    dataRef = data;
    await data.open(fake.socket);
    await Bun.sleep(0);
    expect(drained).toBe(true);
    expect(fake.sent.filter((message) => message.type === "ready")).toHaveLength(1);
    data.close(fake.socket);
  });
});

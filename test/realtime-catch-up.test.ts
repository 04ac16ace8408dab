import { afterEach, describe, expect, test } from "bun:test";
import { createScheduler } from "../src/modules/jobs/scheduler";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";
import {
  createLiveContext,
  isEvent,
  type LiveContext,
  type Message,
  type TestSocket,
} from "./support/live";

// No missed events: reconnecting with since= replays exactly what was missed, then goes live;
// GET /events is the same for clients without a socket; past retention the client refetches.

let live: LiveContext;
afterEach(() => live?.stop());

async function eventsUntilReady(
  socket: TestSocket,
): Promise<{ events: Message[]; ready: Message }> {
  const events: Message[] = [];
  for (;;) {
    const message = await socket.next();
    if (message.type === "ready") return { events, ready: message };
    events.push(message);
  }
}

async function restEvents(user: TestUser, query: string) {
  const response = await live.request(`/api/v1/events${query}`, { token: user.accessToken });
  return {
    response,
    events: response.status === 200 ? ((await response.json()) as Message[]) : [],
  };
}

describe("reconnecting with since", () => {
  test("a client killed mid-stream sees exactly the events it missed, in order, then live ones", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const member = await createUser(live);
    const board = await createBoard(live, owner);
    await putMember(live, board.id, member, "editor");
    const list = await createList(live, owner, board.id);

    const first = await live.connect(member.accessToken);
    await eventsUntilReady(first);
    const seen = await createCard(live, owner, list.id, { title: "seen" });
    const lastSeen = await first.next(isEvent);
    expect(lastSeen.data?.id).toBe(seen.id);
    // Killed without a goodbye while changes go on.
    first.raw.terminate?.();
    first.close();
    await first.closed;

    const missed = [
      await createCard(live, owner, list.id, { title: "missed 1" }),
      await createTask(live, member, { title: "missed personal" }),
      await createCard(live, owner, list.id, { title: "missed 2" }),
    ];
    // Someone else's events are not part of the member's replay.
    const stranger = await createUser(live);
    await createTask(live, stranger, { title: "not for the member" });

    const second = await live.connect(member.accessToken, { since: lastSeen.seq });
    const { events, ready } = await eventsUntilReady(second);
    expect(events.map((event) => event.data?.id)).toEqual(missed.map((item) => item.id));
    const seqs = events.map((event) => event.seq ?? 0);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(ready.seq).toBeGreaterThanOrEqual(seqs[seqs.length - 1] ?? 0);

    const live1 = await createCard(live, owner, list.id, { title: "live" });
    const next = await second.next(isEvent);
    expect(next.data?.id).toBe(live1.id);
    // Nothing twice: the replayed and live events are all different seqs.
    const all = second.messages.filter(isEvent).map((event) => event.seq);
    expect(new Set(all).size).toBe(all.length);
  });

  test("changes racing the reconnect are delivered exactly once", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const before = await createTask(live, user, { title: "before" });
    const seq = live.deps.realtime.feed.cursor();
    const created: number[] = [];
    // Start connecting while tasks are being created.
    const connecting = live.connect(user.accessToken, { since: seq });
    for (let i = 0; i < 30; i++)
      created.push((await createTask(live, user, { title: `t${i}` })).id);
    const socket = await connecting;
    const received: number[] = [];
    while (received.length < created.length) {
      const event = await socket.next(isEvent);
      received.push(event.data?.id as number);
    }
    expect(received).toEqual(created);
    expect(received).not.toContain(before.id);
  });

  test("a long replay is sent whole, in order", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const since = live.deps.realtime.feed.cursor();
    const ids: number[] = [];
    for (let i = 0; i < 450; i++) ids.push((await createTask(live, user, { title: `n${i}` })).id);
    const socket = await live.connect(user.accessToken, { since });
    const { events } = await eventsUntilReady(socket);
    expect(events.map((event) => event.data?.id)).toEqual(ids);
  });

  test("a since older than what is kept gets resync (410 on REST), then live events", async () => {
    live = await createLiveContext({ EVENT_RETENTION: "1h", ACCESS_TOKEN_TTL: "1d" });
    const user = await createUser(live);
    await createTask(live, user);
    await createTask(live, user);
    live.clock.advance(2 * 3600 * 1000);
    const kept = await createTask(live, user);
    expect((await createScheduler(live.deps).runOnce()).events).toBe(2);
    const left = (
      await live.deps.sql.all<{ seq: number }>("SELECT seq FROM events ORDER BY seq")
    ).map((row) => row.seq);
    expect(left).toHaveLength(1);
    const keptSeq = left[0] ?? 0;

    const socket = await live.connect(user.accessToken, { since: 0 });
    expect(await socket.next()).toEqual({ type: "resync" });
    expect(await eventsUntilReady(socket)).toMatchObject({ events: [] });
    const fresh = await createTask(live, user);
    expect((await socket.next(isEvent)).data?.id).toBe(fresh.id);

    const gone = (await restEvents(user, `?since=${keptSeq - 2}`)).response;
    await expectProblem(gone, 410, "gone");
    expect(Number(gone.headers.get("x-event-seq"))).toBeGreaterThan(keptSeq);
    // From the newest pruned seq on, nothing is missing: the kept event is replayed.
    const again = await live.connect(user.accessToken, { since: keptSeq - 1 });
    expect((await again.next()).data?.id).toBe(kept.id);
    expect((await restEvents(user, `?since=${keptSeq - 1}`)).events[0]?.data?.id).toBe(kept.id);
  });

  test("a since beyond any seq handed out (another server's, an old backup's) gets resync", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const socket = await live.connect(user.accessToken, { since: 1_000_000 });
    expect(await socket.next()).toEqual({ type: "resync" });
    await expectProblem((await restEvents(user, "?since=1000000")).response, 410, "gone");
  });
});

describe("GET /api/v1/events", () => {
  test("lists the caller's events after since, oldest first, as the socket sends them", async () => {
    live = await createLiveContext();
    const owner = await createUser(live);
    const member = await createUser(live);
    const outsider = await createUser(live);
    const board = await createBoard(live, owner);
    await putMember(live, board.id, member, "viewer");
    const list = await createList(live, owner, board.id);
    const start = await restEvents(member, "");
    expect(start.events).toEqual([]);
    const since = Number(start.response.headers.get("x-event-seq"));
    const socket = await live.connect(member.accessToken, { since });
    const card = await createCard(live, owner, list.id);
    const task = await createTask(live, member);
    await createTask(live, outsider);

    const { response, events } = await restEvents(member, `?since=${since}`);
    expect(response.status).toBe(200);
    expect(events.map((event) => [event.type, event.data?.id])).toEqual([
      ["task.created", card.id],
      ["task.created", task.id],
    ]);
    const fromSocket = [await socket.next(isEvent), await socket.next(isEvent)];
    expect(events).toEqual(fromSocket);
    expect(Number(response.headers.get("x-event-seq"))).toBeGreaterThanOrEqual(events[1]?.seq ?? 0);
    expect(response.headers.get("link")).toBeNull();
    // The outsider sees none of the board's events.
    const theirs = await restEvents(outsider, `?since=${since}`);
    expect(theirs.events.map((event) => event.board_id)).toEqual([null]);
  });

  test("pages with limit: a full page links to the next one and X-Event-Seq is its last seq", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    const since = Number((await restEvents(user, "")).response.headers.get("x-event-seq"));
    for (let i = 0; i < 5; i++) await createTask(live, user);
    const page1 = await restEvents(user, `?since=${since}&limit=3`);
    expect(page1.events).toHaveLength(3);
    const last = page1.events[2]?.seq;
    expect(page1.response.headers.get("x-event-seq")).toBe(String(last));
    expect(page1.response.headers.get("link")).toBe(
      `</api/v1/events?since=${last}&limit=3>; rel="next"`,
    );
    const page2 = await restEvents(user, `?since=${last}&limit=3`);
    expect(page2.events).toHaveLength(2);
    expect(page2.response.headers.get("link")).toBeNull();
  });

  test("refuses anonymous callers and bad parameters", async () => {
    live = await createLiveContext();
    const user = await createUser(live);
    expect((await live.request("/api/v1/events?since=0")).status).toBe(401);
    for (const query of ["?since=-1", "?since=abc", "?limit=0", "?limit=501", "?since=1&x=2"]) {
      await expectProblem((await restEvents(user, query)).response, 422, "validation_error");
    }
  });
});

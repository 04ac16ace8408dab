import { describe, expect, test } from "bun:test";
import { createLiveConnection, reconnectDelay, type WebSocketLike } from "../../src/web/api/live";
import type { LiveEvent } from "../../src/web/api/types";

class FakeSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedWith: number | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  open() {
    this.onopen?.({});
  }
  send(message: unknown) {
    this.onmessage?.({ data: typeof message === "string" ? message : JSON.stringify(message) });
  }
  close(code = 1000) {
    this.closedWith = code;
  }
  drop(code: number) {
    this.onclose?.({ code });
  }
}

function harness(options: { renew?: boolean; token?: string | null } = {}) {
  const sockets: FakeSocket[] = [];
  const events: LiveEvent[] = [];
  const statuses: string[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  let resyncs = 0;
  let ended = 0;
  let renewals = 0;
  const live = createLiveConnection({
    url: (since) => (since === null ? "/ws" : `/ws?since=${since}`),
    token: () => (options.token === undefined ? "T" : options.token),
    renewToken: async () => {
      renewals += 1;
      return options.renew ?? true;
    },
    onEvent: (event) => events.push(event),
    onResync: () => {
      resyncs += 1;
    },
    onStatus: (status) => statuses.push(status),
    onSessionEnded: () => {
      ended += 1;
    },
    createSocket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    setTimer: (run, ms) => {
      timers.push({ run, ms });
      return timers.length;
    },
    clearTimer: () => {},
  });
  const last = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error("no socket");
    return socket;
  };
  return {
    live,
    sockets,
    events,
    statuses,
    timers,
    last,
    counts: () => ({ resyncs, ended, renewals }),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const event = (seq: number) => ({
  type: "task.updated",
  seq,
  at: "",
  board_id: 1,
  data: { id: 1 },
});

describe("the live connection", () => {
  test("connects with the bearer subprotocol, goes live on ready and passes events on", () => {
    const h = harness();
    h.live.start();
    h.live.start();
    expect(h.sockets.length).toBe(1);
    expect(h.last().protocols).toEqual(["bearer", "T"]);
    expect(h.last().url).toBe("/ws");
    h.last().open();
    h.last().send({ type: "ready", seq: 7 });
    h.last().send(event(8));
    h.last().send("not json");
    h.last().send({ type: "task.updated" });
    expect(h.statuses).toEqual(["connecting", "live"]);
    expect(h.events.map((e) => e.seq)).toEqual([8]);
    expect(h.live.lastSeq()).toBe(8);
  });

  test("after a drop it says reconnecting, backs off and resumes from the last seq without repeats", async () => {
    const h = harness();
    h.live.start();
    h.last().open();
    h.last().send({ type: "ready", seq: 3 });
    h.last().send(event(4));
    h.last().drop(1006);
    await tick();
    expect(h.statuses.at(-1)).toBe("reconnecting");
    expect(h.timers[0]?.ms).toBe(reconnectDelay(1));
    h.timers[0]?.run();
    expect(h.last().url).toBe("/ws?since=4");
    h.last().open();
    h.last().send(event(4));
    h.last().send(event(5));
    h.last().send({ type: "ready", seq: 5 });
    expect(h.events.map((e) => e.seq)).toEqual([4, 5]);
    expect(h.statuses.at(-1)).toBe("live");
  });

  test("resync: listeners refetch and the next connection starts without since", async () => {
    const h = harness();
    h.live.start();
    h.last().open();
    h.last().send(event(10));
    h.last().send({ type: "resync" });
    expect(h.counts().resyncs).toBe(1);
    expect(h.live.lastSeq()).toBeNull();
    h.last().drop(1001);
    await tick();
    h.timers[0]?.run();
    expect(h.last().url).toBe("/ws");
  });

  test("a refused upgrade renews the token before trying again, without alarming anyone", async () => {
    const h = harness();
    h.live.start();
    h.last().drop(1006);
    await tick();
    expect(h.counts().renewals).toBe(1);
    expect(h.timers.length).toBe(1);
    h.timers[0]?.run();
    // Never live yet (say, a server without realtime): still "connecting", not "reconnecting".
    expect(h.statuses).toEqual(["connecting", "connecting", "connecting"]);
  });

  test("4001: the session ended, so no reconnect when no fresh token comes", async () => {
    const h = harness({ renew: false });
    h.live.start();
    h.last().open();
    h.last().drop(4001);
    await tick();
    expect(h.counts().ended).toBe(1);
    expect(h.timers.length).toBe(0);
    expect(h.statuses.at(-1)).toBe("offline");
  });

  test("stopping closes the socket, ignores its late messages and never reconnects", async () => {
    const h = harness();
    h.live.start();
    const socket = h.last();
    socket.open();
    h.live.stop();
    expect(socket.closedWith).toBe(1000);
    socket.send(event(1));
    socket.drop(1000);
    await tick();
    expect(h.events).toEqual([]);
    expect(h.timers.length).toBe(0);
  });

  test("without a token nothing connects; the delay grows to a ceiling", () => {
    const h = harness({ token: null });
    h.live.start();
    expect(h.sockets.length).toBe(0);
    expect(reconnectDelay(1)).toBeLessThan(reconnectDelay(3));
    expect(reconnectDelay(50)).toBe(30_000);
  });
});

/**
 * Realtime across two instances: a change made through one reaches sockets on the other, in
 * `seq` order, with the same `since` replay on both; a logout on one closes the session's
 * sockets on the other.
 */
import { expect, test } from "bun:test";
import { createAccount, ok, signIn } from "./instance-pair";
import type { Message, TestSocket } from "./live";
import type { PairContext } from "./multi-instance";

const TIMEOUT = 60_000;
const BURST = 10;
/** Long enough for the one-second poll even when no wake arrives, with room for a busy machine. */
const LIVE_WITHIN_MS = 5_000;

export function realtimeChecks(pair: () => PairContext): void {
  test(
    "a card created through A reaches a socket on B; a burst through both arrives in seq order, and since replays the same on each",
    async () => {
      const { a, b, binary, env } = pair();
      const [owner, member] = await Promise.all([
        createAccount(binary, env, "rt_owner"),
        createAccount(binary, env, "rt_member"),
      ]);
      const { access: token } = await signIn(a, owner);
      const { access: memberToken } = await signIn(b, member);
      const board = await ok(
        a.call("POST", "/boards", { token, body: { name: "Launch" } }),
        "board",
      );
      const boardId = board.body.id as number;
      await ok(
        a.call("POST", `/boards/${boardId}/members`, {
          token,
          body: { user: member.username, role: "viewer" },
        }),
        "add member",
      );
      const list = await ok(
        b.call("POST", `/boards/${boardId}/lists`, { token, body: { name: "Todo" } }),
        "list",
      );
      const listId = list.body.id as number;

      const memberOnB = await live(b.connect(memberToken));
      const ownerOnA = await live(a.connect(token));

      const sent = performance.now();
      const card = await ok(
        a.call("POST", "/tasks", { token, body: { title: "Ship", list_id: listId } }),
        "card on A",
      );
      const first = await memberOnB.next(isCreated, LIVE_WITHIN_MS);
      const latencyMs = performance.now() - sent;
      expect(first).toMatchObject({ type: "task.created", board_id: boardId, data: card.body });
      expect(await ownerOnA.next(isCreated, LIVE_WITHIN_MS)).toEqual(first);
      console.log(
        `multi-instance: a card made on A reached a socket on B in ${latencyMs.toFixed(0)} ms`,
      );

      // Half through each instance, all at once: commits interleave across the two processes.
      const burst = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          ok(
            (i % 2 === 0 ? a : b).call("POST", "/tasks", {
              token,
              body: { title: `Burst ${i}`, list_id: listId },
            }),
            `burst card ${i}`,
          ),
        ),
      );
      const onB = await takeCreated(memberOnB, BURST);
      const onA = await takeCreated(ownerOnA, BURST);
      const seqs = onB.map((event) => event.seq as number);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(BURST);
      expect(seqs[0]).toBeGreaterThan(first.seq as number);
      expect(onB.map((event) => event.data?.id).sort()).toEqual(
        burst.map((answer) => answer.body.id).sort(),
      );
      expect(onA).toEqual(onB);

      // A client that missed everything since the first card catches up the same on either.
      const since = first.seq as number;
      const [replayOnA, replayOnB] = await Promise.all([
        replayed(a.connect(memberToken, since)),
        replayed(b.connect(memberToken, since)),
      ]);
      expect(replayOnA).toEqual(onB);
      expect(replayOnB).toEqual(onB);
      const [pageOnA, pageOnB] = await Promise.all(
        [a, b].map((instance) =>
          ok(instance.call("GET", `/events?since=${since}`, { token: memberToken }), "events"),
        ),
      );
      expect(pageOnA?.body).toEqual(onB);
      expect(pageOnB?.body).toEqual(onB);

      memberOnB.close();
      ownerOnA.close();
    },
    TIMEOUT,
  );

  test(
    "logging out on A closes that session's socket on B with 4001, and no other session's",
    async () => {
      const { a, b, binary, env } = pair();
      const user = await createAccount(binary, env, "rt_leaver");
      const leaving = await signIn(a, user);
      const staying = await signIn(b, user);
      const leavingOnB = await live(b.connect(leaving.access));
      const stayingOnB = await live(b.connect(staying.access));

      const sent = performance.now();
      const logout = await a.call("POST", "/auth/logout", {
        token: leaving.access,
        body: { refresh_token: leaving.refresh },
      });
      expect(logout.status).toBe(204);
      const closed = await Promise.race([
        leavingOnB.closed,
        Bun.sleep(LIVE_WITHIN_MS).then(() => null),
      ]);
      const latencyMs = performance.now() - sent;
      expect(closed?.code).toBe(4001);
      console.log(
        `multi-instance: a logout on A closed the socket on B in ${latencyMs.toFixed(0)} ms`,
      );

      expect((await b.call("GET", "/users/me", { token: leaving.access })).status).toBe(401);
      expect((await b.call("GET", "/users/me", { token: staying.access })).status).toBe(200);
      stayingOnB.raw.send('{"type":"ping"}');
      expect(await stayingOnB.next((message) => message.type === "pong")).toEqual({ type: "pong" });
      stayingOnB.close();
    },
    TIMEOUT,
  );
}

const isCreated = (message: Message) => message.type === "task.created";

/** The socket once it has said it is live. */
async function live(opening: Promise<TestSocket>): Promise<TestSocket> {
  const socket = await opening;
  await socket.next((message) => message.type === "ready");
  return socket;
}

async function takeCreated(socket: TestSocket, count: number): Promise<Message[]> {
  const events: Message[] = [];
  for (let i = 0; i < count; i++) events.push(await socket.next(isCreated, LIVE_WITHIN_MS));
  return events;
}

/** The events a socket opened with `since` replays before it says it is live. */
async function replayed(opening: Promise<TestSocket>): Promise<Message[]> {
  const socket = await opening;
  const ready = await socket.next((message) => message.type === "ready", LIVE_WITHIN_MS);
  socket.close();
  const events = socket.messages.slice(0, socket.messages.indexOf(ready));
  expect(events.every((event) => event.seq !== undefined)).toBe(true);
  return events;
}

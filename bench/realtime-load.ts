import { readFileSync } from "node:fs";
import { type ProcSnapshot, processTicks, readSnapshot } from "./cpu-time";
import {
  type DeliverySummary,
  deliveryKey,
  keyOfMessage,
  matchDeliveries,
  type Reception,
  type SentUpdate,
  summarizeDeliveries,
} from "./realtime-deliveries";
import type { RealtimeBoard } from "./seed-realtime";
import { percentile } from "./stats";

/**
 * The realtime scenario's load generator, a process of its own (`bun bench/realtime-load.ts
 * <spec.json>`, started by bench/realtime.ts with an IPC channel): it opens one WebSocket per
 * board member and reports once every socket is live; on the word `update` it sends card updates
 * at a steady rate over keep-alive connections, times each delivery against its HTTP response
 * (one clock: this process's), and reports the tally.
 */

export interface RealtimeLoadSpec {
  baseUrl: string;
  serverPid: number;
  /** One access token per member; `boards[].members` index into it. */
  tokens: string[];
  boards: RealtimeBoard[];
  ratePerSecond: number;
  durationSeconds: number;
  /** How long to wait for late deliveries after the last response. */
  drainMs: number;
  /** Sockets opened first, on the word `open` the rest: the runner reads memory in between. */
  warmSockets: number;
}

/** What the load process reports, in order, over its IPC channel. */
export type LoadMessage =
  | { phase: "warm"; sockets: number }
  | { phase: "open"; sockets: number; openSeconds: number; idleMessages: number }
  | { phase: "done"; result: UpdateResult }
  | { phase: "failed"; error: string };

export interface UpdateResult {
  sent: number;
  answered: number;
  failed: number;
  seconds: number;
  httpP99Ms: number;
  deliveries: DeliverySummary;
  /** Sockets that closed before the end. */
  closed: number;
  start: ProcSnapshot;
  end: ProcSnapshot;
  /** This process's own CPU ticks over the update window (it shares the cores too). */
  loadTicks: number;
}

/** Sockets being opened at once: a burst of 1,000 handshakes would time out some. */
const OPENING_AT_ONCE = 50;
const OPEN_TIMEOUT_MS = 60_000;

const send = (message: LoadMessage) => process.send?.(message);

async function main(specFile: string): Promise<void> {
  const spec = (await Bun.file(specFile).json()) as RealtimeLoadSpec;
  const receptions: Reception[] = [];
  let idleMessages = 0;
  let closed = 0;
  let live = false;
  const wsUrl = `${spec.baseUrl.replace(/^http/, "ws")}/api/v1/ws?access_token=`;
  const sockets: WebSocket[] = [];

  const openOne = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`${wsUrl}${spec.tokens[index]}`);
      sockets[index] = socket;
      let ready = false;
      socket.onmessage = (event) => {
        const at = performance.now();
        const message = JSON.parse(String(event.data)) as { type?: string };
        if (!ready) {
          if (message.type === "ready") {
            ready = true;
            resolve();
          }
          return;
        }
        const key = keyOfMessage(message);
        if (key && live) receptions.push({ socket: index, key, at });
        else idleMessages += 1;
      };
      socket.onclose = (event) => {
        closed += 1;
        if (!ready) reject(new Error(`socket ${index} closed before ready: ${event.code}`));
      };
    });

  let next = 0;
  const openUpTo = (end: number) => {
    const opener = async () => {
      while (next < end) await openOne(next++);
    };
    return withTimeout(
      Promise.all(Array.from({ length: OPENING_AT_ONCE }, opener)),
      OPEN_TIMEOUT_MS,
      "opening the sockets",
    );
  };
  await openUpTo(Math.min(spec.warmSockets, spec.tokens.length));
  send({ phase: "warm", sockets: sockets.length });
  await nextCommand("open");
  const opening = performance.now();
  await openUpTo(spec.tokens.length);
  send({
    phase: "open",
    sockets: sockets.length,
    openSeconds: (performance.now() - opening) / 1000,
    idleMessages,
  });
  await nextCommand("update");
  live = true;
  const result = await sendUpdates(spec, receptions);
  const tally = matchDeliveries(result.updates, receptions, (board) =>
    membersOf(spec.boards, board),
  );
  const closedEarly = closed;
  for (const socket of sockets) socket.close(1000, "done");
  send({
    phase: "done",
    result: {
      sent: result.sent,
      answered: result.updates.length,
      failed: result.failed,
      seconds: result.seconds,
      httpP99Ms: percentile(result.httpMs, 99),
      deliveries: summarizeDeliveries(tally),
      closed: closedEarly,
      start: result.start,
      end: result.end,
      loadTicks: result.loadTicks,
    },
  });
}

function membersOf(boards: readonly RealtimeBoard[], board: number): number[] {
  return boards[board]?.members ?? [];
}

/**
 * Update i goes to board i mod B, so consecutive updates spread over all boards; each board's
 * members and cards take turns. Sending is open-loop: update i leaves at start + i / rate
 * whether or not earlier ones were answered, so a slow server meets the same offered rate.
 */
async function sendUpdates(spec: RealtimeLoadSpec, receptions: Reception[]) {
  const updates: SentUpdate[] = [];
  const httpMs: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let failed = 0;
  const total = Math.round(spec.ratePerSecond * spec.durationSeconds);
  const start = readSnapshot(spec.serverPid);
  const loadStart = ownTicks();
  const began = performance.now();
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / spec.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const boardIndex = i % spec.boards.length;
    const board = spec.boards[boardIndex];
    if (!board) throw new Error(`No board ${boardIndex}`);
    const turn = Math.floor(i / spec.boards.length);
    const cardId = board.cardIds[turn % board.cardIds.length];
    const token = spec.tokens[board.members[turn % board.members.length] ?? 0];
    const sentAt = performance.now();
    const request = fetch(`${spec.baseUrl}/api/v1/tasks/${cardId}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: `Live update ${i} of card ${cardId}` }),
    })
      .then(async (response) => {
        const respondedAt = performance.now();
        const body = (await response.json()) as { id?: number; version?: number };
        if (!response.ok || typeof body.id !== "number" || typeof body.version !== "number") {
          failed += 1;
          return;
        }
        httpMs.push(respondedAt - sentAt);
        updates.push({ key: deliveryKey(body.id, body.version), board: boardIndex, respondedAt });
      })
      .catch(() => {
        failed += 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - began) / 1000;
  const end = readSnapshot(spec.serverPid);
  const loadTicks = ownTicks() - loadStart;
  // Late deliveries still count (and show in the latency); what has not come by now is missing.
  let expected = 0;
  for (const update of updates) expected += membersOf(spec.boards, update.board).length;
  const deadline = performance.now() + spec.drainMs;
  while (receptions.length < expected && performance.now() < deadline) await Bun.sleep(20);
  await Bun.sleep(Math.min(200, spec.drainMs));
  return { updates, httpMs, failed, sent: total, seconds, start, end, loadTicks };
}

function ownTicks(): number {
  return processTicks(readFileSync("/proc/self/stat", "utf8"));
}

function nextCommand(command: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (message: unknown) => {
      if ((message as { command?: string }).command !== command) return;
      process.off("message", listener);
      resolve();
    };
    process.on("message", listener);
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.main) {
  const specFile = process.argv[2];
  if (!specFile) throw new Error("usage: bun bench/realtime-load.ts <spec.json>");
  try {
    await main(specFile);
  } catch (error) {
    send({ phase: "failed", error: error instanceof Error ? error.message : String(error) });
  }
  // Leave once the last message has had time to cross the channel; the runner also stops us.
  setTimeout(() => process.exit(0), 1000);
}

import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { stopChild, trackChild } from "./children";
import { clockTicksPerSecond, windowCpu } from "./cpu-time";
import { type LoadTool, runLoad } from "./load";
import type { LoadMessage, RealtimeLoadSpec, UpdateResult } from "./realtime-load";
import { progressLine } from "./report";
import { type Measurement, type RealtimeFigures, toMeasurement } from "./results";
import type { Scenario } from "./scenarios";
import type { RealtimeBoard } from "./seed-realtime";
import type { ServerProcess } from "./server-process";
import { launchServer, type ServerSettings } from "./servers";
import { summarize } from "./stats";

/**
 * The realtime scenario, Kanbun alone (the reference server has no sockets), on a fresh copy of
 * the seeded database: the server's memory before and after 1,000 sockets are opened from a load
 * process of their own; the list scenario with them open and idle; card updates at a steady rate,
 * each timed to every member's socket; then, the sockets closed, the list scenario again.
 */

export interface RealtimeContext {
  settings: ServerSettings;
  tool: LoadTool;
  seedFile: string;
  /** The list scenario and the personal users' tokens it rotates over. */
  list: Scenario;
  tokensFile: string;
  /** One token per realtime member, and their boards. */
  members: { tokens: string[]; boards: RealtimeBoard[] };
  workDir: string;
  say: (line: string) => void;
}

/** Long enough for the server's memory to stop moving after a burst (no GC can be forced). */
const SETTLE_MS = 5000;
const RSS_SAMPLES = 5;
const DRAIN_MS = 3000;
/**
 * Sockets opened before the memory baseline that the figure per socket starts from: the first
 * ones also pay for what is paid once (code compiled on first use, the heap growing), which is
 * no socket's own cost. Both figures are reported.
 */
const WARM_SOCKETS = 100;

export async function measureRealtime(
  run: number,
  context: RealtimeContext,
): Promise<RealtimeFigures> {
  const { options } = context.settings;
  const dbFile = join(context.workDir, "realtime.db");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
  copyFileSync(context.seedFile, dbFile);
  const server = await launchServer("kanbun", dbFile, `realtime-run${run}`, context.settings);
  let load: Subprocess | null = null;
  try {
    // The baseline is read on the fresh server: after a burst of load its heap holds garbage
    // that the sockets' first allocations would collect, and the difference could go negative.
    const rssBeforeKb = await settledRssKb(server);
    const specFile = join(context.workDir, "realtime-spec.json");
    const spec: RealtimeLoadSpec = {
      baseUrl: server.baseUrl,
      serverPid: server.pid,
      tokens: context.members.tokens,
      boards: context.members.boards,
      ratePerSecond: options.realtimeRate,
      durationSeconds: options.realtimeSeconds,
      drainMs: DRAIN_MS,
      warmSockets: WARM_SOCKETS,
    };
    writeFileSync(specFile, JSON.stringify(spec));
    const inbox = messageBox();
    load = trackChild(
      Bun.spawn(["bun", join(import.meta.dir, "realtime-load.ts"), specFile], {
        stdout: "inherit",
        stderr: "inherit",
        ipc: (message) => inbox.put(message as LoadMessage),
      }),
    );
    const child = load;
    const warm = await inbox.take("warm", 90_000, child);
    const rssWarmKb = await settledRssKb(server);
    child.send({ command: "open" });
    const open = await inbox.take("open", 90_000, child);
    const rssIdleKb = await settledRssKb(server);
    context.say(
      `  run ${run} realtime  ${open.sockets} sockets live in ${open.openSeconds.toFixed(1)} s; server RSS ${mb(rssBeforeKb)} → ${mb(rssWarmKb)} (${warm.sockets} sockets) → ${mb(rssIdleKb)} MB`,
    );
    const listWith = await measureList(run, 1, server, context);
    child.send({ command: "update" });
    const { result } = await inbox.take("done", (options.realtimeSeconds + 60) * 1000, child);
    await stopChild(child);
    const listWithout = await measureList(run, 2, server, context);
    const figures = toFigures(run, open, result, {
      boards: context.members.boards.length,
      warmSockets: warm.sockets,
      rssBeforeKb,
      rssWarmKb,
      rssIdleKb,
      listWithout,
      listWith,
    });
    context.say(realtimeLine(figures));
    return figures;
  } finally {
    if (load) await stopChild(load);
    await server.stop();
  }
}

async function measureList(
  run: number,
  position: number,
  server: ServerProcess,
  context: RealtimeContext,
): Promise<Measurement> {
  const { options } = context.settings;
  const { tokensFile, ...requests } = context.list;
  const spec = {
    ...requests,
    tool: context.tool,
    baseUrl: server.baseUrl,
    serverPid: server.pid,
    tokensFile: tokensFile ?? context.tokensFile,
    durationSeconds: options.warmupSeconds,
  };
  if (options.warmupSeconds > 0) await runLoad(spec, context.workDir);
  const load = await runLoad(
    { ...spec, durationSeconds: options.durationSeconds },
    context.workDir,
  );
  const measurement = toMeasurement({ run, scenario: "list", server: "kanbun", position }, load);
  context.say(`${progressLine(measurement)}  (${position === 1 ? "1,000 sockets" : "no sockets"})`);
  return measurement;
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

/** The median of a few VmRSS readings once the server has had time to settle. */
async function settledRssKb(server: ServerProcess): Promise<number> {
  await Bun.sleep(SETTLE_MS);
  const samples: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    samples.push(server.rssKb());
    await Bun.sleep(200);
  }
  return summarize(samples).median;
}

function toFigures(
  run: number,
  open: Extract<LoadMessage, { phase: "open" }>,
  result: UpdateResult,
  measured: Pick<
    RealtimeFigures,
    | "boards"
    | "warmSockets"
    | "rssBeforeKb"
    | "rssWarmKb"
    | "rssIdleKb"
    | "listWithout"
    | "listWith"
  >,
): RealtimeFigures {
  const ticksPerSecond = clockTicksPerSecond();
  const cpu = windowCpu(result.start, result.end, result.answered, result.seconds, ticksPerSecond);
  return {
    run,
    sockets: open.sockets,
    openSeconds: open.openSeconds,
    ...measured,
    kbPerSocket: (measured.rssIdleKb - measured.rssWarmKb) / (open.sockets - measured.warmSockets),
    kbPerSocketAll: (measured.rssIdleKb - measured.rssBeforeKb) / open.sockets,
    idleMessages: open.idleMessages,
    updates: {
      sent: result.sent,
      answered: result.answered,
      failed: result.failed,
      seconds: result.seconds,
      rate: result.answered / result.seconds,
      httpP99Ms: result.httpP99Ms,
    },
    deliveries: result.deliveries,
    closedEarly: result.closed,
    serverCores: cpu.serverCores,
    loadCores: result.loadTicks / ticksPerSecond / result.seconds,
    machineCores: cpu.machineCores,
  };
}

export function realtimeLine(f: RealtimeFigures): string {
  const d = f.deliveries;
  return `  run ${f.run} realtime  ${f.kbPerSocket.toFixed(1)} KB/socket after the first ${f.warmSockets} (${f.kbPerSocketAll.toFixed(1)} over all); ${f.updates.rate.toFixed(1)} updates/s; deliveries ${d.received}/${d.expected} (missing ${d.missing}, duplicate ${d.duplicates}, stray ${d.stray}); p50 ${d.p50Ms.toFixed(2)} ms p99 ${d.p99Ms.toFixed(2)} ms max ${d.maxMs.toFixed(2)} ms; cores: server ${f.serverCores.toFixed(2)}, load ${f.loadCores.toFixed(2)}, machine ${f.machineCores.toFixed(2)}`;
}

type Phase<P extends LoadMessage["phase"]> = Extract<LoadMessage, { phase: P }>;

/** The load process's messages, taken in order; a failure or an early exit rejects the wait. */
function messageBox() {
  const queue: LoadMessage[] = [];
  let wake: (() => void) | null = null;
  return {
    put(message: LoadMessage) {
      queue.push(message);
      wake?.();
    },
    async take<P extends LoadMessage["phase"]>(
      phase: P,
      timeoutMs: number,
      child: Subprocess,
    ): Promise<Phase<P>> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const message = queue.shift();
        if (message?.phase === "failed") throw new Error(`realtime load: ${message.error}`);
        if (message?.phase === phase) return message as Phase<P>;
        if (message) throw new Error(`realtime load said ${message.phase}, expected ${phase}`);
        if (child.exitCode !== null) throw new Error(`realtime load exited (${child.exitCode})`);
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`realtime load: no ${phase} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 500));
        });
        wake = null;
      }
    },
  };
}

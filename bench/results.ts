import { clockTicksPerSecond, windowCpu } from "./cpu-time";
import type { LoadResult, LoadTool } from "./load";
import type { DeliverySummary } from "./realtime-deliveries";

/** What a benchmark records: flat lists of observations, each saying where it came from. */

export type ScenarioName = "list" | "health" | "search" | "search1" | "create" | "board" | "move";
/**
 * "baseline" is an optional second Kanbun binary (`--baseline`), for before/after comparisons;
 * "postgres" is Kanbun on PostgreSQL, "postgres-2" two Kanbun processes on one PostgreSQL
 * database sharing the load (`--databases`).
 */
export type ServerName = "kanbun" | "baseline" | "reference" | "postgres" | "postgres-2";
export type StartDatabase = "empty" | "seeded";

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  list: "GET /api/v1/tasks?limit=20",
  health: "GET /health",
  search: "GET /api/v1/tasks?q=<word>",
  search1: "GET /api/v1/tasks?q=<word>, 1 connection",
  create: "POST /api/v1/tasks",
  board: "GET /api/v1/boards/{id}",
  move: "PATCH /api/v1/tasks/{id} (move)",
};

/** One server through one scenario in one run. */
export interface Measurement {
  run: number;
  scenario: ScenarioName;
  server: ServerName;
  /** 1 when this server went first in its scenario in this run. */
  position: number;
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Server CPU ticks in the window, user + system. */
  cpuTicks: number;
  cpuUsPerRequest: number;
  serverCores: number;
  machineCores: number;
  stealShare: number;
  /** On PostgreSQL: the Kanbun processes sharing the load (the CPU figures above are theirs). */
  instances?: number;
  /** On PostgreSQL: the database server's processes' CPU over the window, read beside Kanbun's. */
  databaseCpuTicks?: number;
  databaseCpuUsPerRequest?: number;
  /** Database processes read at both ends of the window, and those read at one end only. */
  databaseProcesses?: number;
  databaseProcessesMissing?: number;
}

/** A server's memory at the end of one run's load. */
export interface ProcessFigures {
  run: number;
  server: ServerName;
  rssAfterMb: number;
  peakRssMb: number;
}

/** From spawn to the first 200 from /health. */
export interface StartSample {
  server: ServerName;
  database: StartDatabase;
  attempt: number;
  ms: number;
}

export interface BenchData {
  tool: LoadTool;
  toolVersion: string;
  runs: number;
  measurements: Measurement[];
  processes: ProcessFigures[];
  starts: StartSample[];
  ticksPerSecond: number;
  notes: string[];
  /** The realtime scenario, one entry per run, when it was asked for. */
  realtime?: RealtimeFigures[];
}

/**
 * One run of the realtime scenario (bench/realtime.ts): memory per idle socket, delivery of card
 * updates to every member's socket, and the list scenario without and with the sockets open.
 */
export interface RealtimeFigures {
  run: number;
  sockets: number;
  boards: number;
  /** From opening the sockets after the first `warmSockets` to the last one's `ready`. */
  openSeconds: number;
  /**
   * Server VmRSS, settled: on the fresh server, with the first `warmSockets` open, and with all
   * of them open and idle. Per socket: from the warm reading (what each further socket costs),
   * and from the fresh one (including what the first sockets pay once).
   */
  warmSockets: number;
  rssBeforeKb: number;
  rssWarmKb: number;
  rssIdleKb: number;
  kbPerSocket: number;
  kbPerSocketAll: number;
  /** Messages the sockets received while idle (none are expected). */
  idleMessages: number;
  updates: {
    sent: number;
    answered: number;
    failed: number;
    seconds: number;
    rate: number;
    httpP99Ms: number;
  };
  deliveries: DeliverySummary;
  /** Sockets that closed before the end of the updates. */
  closedEarly: number;
  /** Cores busy over the update window: the server, this load process, and the whole machine. */
  serverCores: number;
  loadCores: number;
  machineCores: number;
  listWithout: Measurement;
  listWith: Measurement;
}

export function toMeasurement(
  where: Pick<Measurement, "run" | "scenario" | "server" | "position">,
  load: LoadResult,
  ticksPerSecond = clockTicksPerSecond(),
): Measurement {
  const cpu = windowCpu(load.start, load.end, load.requests, load.seconds, ticksPerSecond);
  return {
    ...where,
    requests: load.requests,
    seconds: load.seconds,
    rps: load.requests / load.seconds,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    errors: load.non2xx + load.socketErrors,
    cpuTicks: cpu.ticks,
    cpuUsPerRequest: cpu.usPerRequest,
    serverCores: cpu.serverCores,
    machineCores: cpu.machineCores,
    stealShare: cpu.stealShare,
  };
}

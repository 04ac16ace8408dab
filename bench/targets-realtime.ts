import type { BenchData, Measurement, RealtimeFigures } from "./results";
import { summarize } from "./stats";
import type { TargetSpec } from "./targets";

/**
 * The realtime targets (issue 9, item 8), judged on the median over the runs, except delivery:
 * one missing or duplicate delivery in any run is a failure. Kanbun with 1,000 idle sockets is
 * compared with itself without them, in the same run on the same server process; a ratio within
 * a tenth either way counts as unchanged (runs on this shared machine vary by about that). Memory
 * is judged per socket after the first hundred, which also pay what is paid once (realtime.ts).
 */

export const UNCHANGED_RPS = 0.9;
export const UNCHANGED_CPU = 1.1;

export function realtimeTargetSpecs(data: BenchData): TargetSpec[] {
  const runs = data.realtime ?? [];
  const of = (pick: (f: RealtimeFigures) => number) => summarize(runs.map(pick));
  const listRatio = (field: "rps" | "cpuUsPerRequest") =>
    of((f) => f.listWith[field] / f.listWithout[field]);
  const listErrors = runs.reduce((sum, f) => sum + f.listWith.errors + f.listWithout.errors, 0);
  const updateFailures = runs.reduce((sum, f) => sum + f.updates.failed, 0);
  return [
    {
      name: "realtime: every update on every member's socket, exactly once (1,000 sockets)",
      limit: "0 missing, duplicate or stray, every run",
      measured: of((f) => undelivered(f)),
      digits: 0,
      unit: "",
      passes: (worst) => worst === 0,
      judgeOn: "max",
      scenarios: [],
      failures: updateFailures,
      needsWrk: false,
    },
    {
      name: "realtime: delivery p99, HTTP response → member's socket",
      limit: "≤ 50 ms",
      measured: of((f) => f.deliveries.p99Ms),
      digits: 2,
      unit: " ms",
      passes: (median) => median <= 50,
      scenarios: [],
      failures: updateFailures,
      needsWrk: false,
    },
    {
      name: "realtime: server RSS per idle socket, after the first 100",
      limit: "≤ 10 KB",
      measured: of((f) => f.kbPerSocket),
      digits: 1,
      unit: " KB",
      passes: (median) => median <= 10,
      scenarios: [],
      needsWrk: false,
    },
    {
      name: "req/s, GET /tasks?limit=20, 1,000 idle sockets vs none",
      limit: `≥ ${UNCHANGED_RPS.toFixed(2)}×`,
      measured: listRatio("rps"),
      digits: 2,
      unit: "×",
      passes: (median) => median >= UNCHANGED_RPS,
      scenarios: [],
      failures: listErrors,
    },
    {
      name: "CPU per request, GET /tasks?limit=20, 1,000 idle sockets vs none",
      limit: `≤ ${UNCHANGED_CPU.toFixed(2)}×`,
      measured: listRatio("cpuUsPerRequest"),
      digits: 2,
      unit: "×",
      passes: (median) => median <= UNCHANGED_CPU,
      scenarios: [],
      failures: listErrors,
    },
  ];
}

/** Deliveries that went wrong in one run: missing, duplicated or sent where they do not belong. */
export function undelivered(f: RealtimeFigures): number {
  const d = f.deliveries;
  return d.missing + d.duplicates + d.stray;
}

/** with / without, for the report's table. */
export function listRatios(f: RealtimeFigures): { rps: number; cpu: number } {
  const ratio = (field: keyof Pick<Measurement, "rps" | "cpuUsPerRequest">) =>
    f.listWith[field] / f.listWithout[field];
  return { rps: ratio("rps"), cpu: ratio("cpuUsPerRequest") };
}

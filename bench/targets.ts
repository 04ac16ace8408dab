import type { BenchData, Measurement, ScenarioName, ServerName, StartDatabase } from "./results";
import { type Summary, summarize } from "./stats";
import { realtimeTargetSpecs } from "./targets-realtime";

/**
 * The performance targets (issue 12, section 5; the board scenarios' from issue 8; the realtime
 * ones from issue 9, in targets-realtime.ts), judged on medians over the runs. Verdicts are
 * given only for wrk runs: autocannon is a JavaScript process on the same two cores as the
 * server, and the time it takes from the server flatters every ratio.
 */

export type Verdict = "PASS" | "FAIL" | "no verdict" | "not run";

export interface TargetResult {
  name: string;
  limit: string;
  measured: Summary;
  digits: number;
  unit: string;
  verdict: Verdict;
  /** Why there is no verdict. */
  reason?: string;
}

export interface TargetSpec {
  name: string;
  limit: string;
  measured: Summary;
  digits: number;
  unit: string;
  /** Given the median, or the worst run's figure with `judgeOn: "max"`. */
  passes: (value: number) => boolean;
  judgeOn?: "median" | "max";
  /** Scenarios whose load must have run without failed requests for the figure to count. */
  scenarios: ScenarioName[];
  /** Failed requests behind the figure, when they are not those of `scenarios`. */
  failures?: number;
  /** False when the figure does not come from wrk's load, so autocannon does not taint it. */
  needsWrk?: boolean;
}

export function evaluateTargets(
  data: BenchData,
  compareWith: ServerName = "kanbun",
): TargetResult[] {
  const ratio = (scenario: ScenarioName, field: RatioField) =>
    summarize(pairedRatios(data.measurements, compareWith, scenario, field).map((p) => p.ratio));
  const specs: TargetSpec[] = [
    {
      name: "CPU per request, GET /tasks?limit=20, vs reference",
      limit: "≤ 1.2×",
      measured: ratio("list", "cpuUsPerRequest"),
      digits: 2,
      unit: "×",
      passes: (median) => median <= 1.2,
      scenarios: ["list"],
    },
    {
      name: "CPU per request, POST /tasks, vs reference",
      limit: "≤ 1.5×",
      measured: ratio("create", "cpuUsPerRequest"),
      digits: 2,
      unit: "×",
      passes: (median) => median <= 1.5,
      scenarios: ["create"],
    },
    {
      name: "req/s, GET /tasks?limit=20, vs reference",
      limit: "≥ 0.85×",
      measured: ratio("list", "rps"),
      digits: 2,
      unit: "×",
      passes: (median) => median >= 0.85,
      scenarios: ["list"],
    },
    {
      name: "req/s, POST /tasks, vs reference",
      limit: "≥ 0.65×",
      measured: ratio("create", "rps"),
      digits: 2,
      unit: "×",
      passes: (median) => median >= 0.65,
      scenarios: ["create"],
    },
    {
      name: "req/s, GET /boards/{id} (10 lists × 50 cards, 5 members), vs reference",
      limit: "≥ 0.60×",
      measured: ratio("board", "rps"),
      digits: 2,
      unit: "×",
      passes: (median) => median >= 0.6,
      scenarios: ["board"],
    },
    {
      name: "req/s, moving a card to another list, vs reference",
      limit: "≥ 0.60×",
      measured: ratio("move", "rps"),
      digits: 2,
      unit: "×",
      passes: (median) => median >= 0.6,
      scenarios: ["move"],
    },
    {
      name: "RSS after load",
      limit: "≤ 100 MB",
      measured: summarize(
        data.processes.filter((p) => p.server === compareWith).map((p) => p.rssAfterMb),
      ),
      digits: 1,
      unit: " MB",
      passes: (median) => median <= 100,
      scenarios: [],
    },
    {
      name: "search p99, 50 connections, seeded database",
      limit: "≤ 25 ms",
      measured: summarize(
        data.measurements
          .filter((m) => m.server === compareWith && m.scenario === "search")
          .map((m) => m.p99Ms),
      ),
      digits: 1,
      unit: " ms",
      passes: (median) => median <= 25,
      scenarios: ["search"],
    },
    startTarget(data, compareWith, "empty", 100),
    startTarget(data, compareWith, "seeded", 300),
    ...realtimeTargetSpecs(data),
  ];
  return specs.map((spec) => judge(spec, data));
}

function startTarget(
  data: BenchData,
  server: ServerName,
  database: StartDatabase,
  limitMs: number,
): TargetSpec {
  return {
    name: `start → first /health, ${database === "empty" ? "empty" : "seeded"} database`,
    limit: `≤ ${limitMs} ms`,
    measured: summarize(
      data.starts.filter((s) => s.server === server && s.database === database).map((s) => s.ms),
    ),
    digits: 0,
    unit: " ms",
    passes: (median) => median <= limitMs,
    scenarios: [],
  };
}

function judge(spec: TargetSpec, data: BenchData): TargetResult {
  const { passes, scenarios, judgeOn, failures, needsWrk, ...shown } = spec;
  if (spec.measured.count === 0) return { ...shown, verdict: "not run" };
  if (data.tool !== "wrk" && needsWrk !== false) {
    return { ...shown, verdict: "no verdict", reason: `load from ${data.tool}, not wrk` };
  }
  const failed =
    failures ??
    data.measurements
      .filter((m) => scenarios.includes(m.scenario))
      .reduce((sum, m) => sum + m.errors, 0);
  if (failed > 0) return { ...shown, verdict: "no verdict", reason: `${failed} failed requests` };
  const value = judgeOn === "max" ? spec.measured.max : spec.measured.median;
  return { ...shown, verdict: passes(value) ? "PASS" : "FAIL" };
}

export type RatioField = "rps" | "p99Ms" | "cpuUsPerRequest";

/** server / reference for each run in which both were measured: the pairs ran side by side. */
export function pairedRatios(
  measurements: Measurement[],
  server: ServerName,
  scenario: ScenarioName,
  field: RatioField,
): { run: number; ratio: number }[] {
  const find = (name: ServerName, run: number) =>
    measurements.find((m) => m.server === name && m.scenario === scenario && m.run === run);
  return measurements
    .filter((m) => m.server === server && m.scenario === scenario)
    .flatMap((m) => {
      const reference = find("reference", m.run);
      return reference ? [{ run: m.run, ratio: m[field] / reference[field] }] : [];
    });
}

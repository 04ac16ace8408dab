import type { LoadResult } from "./load";

export type ScenarioName = "list" | "health" | "search" | "search1" | "create";
/** "baseline" is an optional second Kanbun binary (`--baseline`), for before/after comparisons. */
export type ServerName = "kanbun" | "baseline" | "reference";

/** What one run measured for one server. */
export interface ServerRun {
  startMs: number;
  rssAfterMb: number;
  peakRssMb: number;
  /** Only the scenarios that were selected for the run. */
  scenarios: Partial<Record<ScenarioName, LoadResult>>;
}

export type RunResult = Record<"kanbun" | "reference", ServerRun> & { baseline?: ServerRun };

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  list: "GET /api/v1/tasks?limit=20",
  health: "GET /health",
  search: "GET /api/v1/tasks?q=<word>",
  search1: "GET /api/v1/tasks?q=<word>, 1 connection",
  create: "POST /api/v1/tasks",
};

export function median(values: number[]): number {
  const sorted = [...values].filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Medians of the per-run ratios kanbun / reference. */
  rpsRatio: number;
  p99Ratio: number;
}

function figures(runs: RunResult[], server: ServerName, scenario: ScenarioName): Figures {
  const pick = (fn: (result: LoadResult) => number) =>
    median(runs.map((run) => of(run, server, scenario, fn)));
  return {
    rps: pick((r) => r.rps),
    p50: pick((r) => r.p50Ms),
    p99: pick((r) => r.p99Ms),
    non2xx: pick((r) => r.non2xx + r.socketErrors),
    rpsRatio: median(
      runs.map(
        (run) =>
          of(run, server, scenario, (r) => r.rps) / of(run, "reference", scenario, (r) => r.rps),
      ),
    ),
    p99Ratio: median(
      runs.map(
        (run) =>
          of(run, server, scenario, (r) => r.p99Ms) /
          of(run, "reference", scenario, (r) => r.p99Ms),
      ),
    ),
  };
}

function of(
  run: RunResult,
  server: ServerName,
  scenario: ScenarioName,
  fn: (result: LoadResult) => number,
): number {
  const result = run[server]?.scenarios[scenario];
  return result ? fn(result) : Number.NaN;
}

export interface Target {
  name: string;
  measured: string;
  pass: boolean;
}

export function evaluate(runs: RunResult[]): Target[] {
  const kanbun = (scenario: ScenarioName) => figures(runs, "kanbun", scenario);
  const list = kanbun("list");
  const create = kanbun("create");
  const search = kanbun("search");
  const searchAlone = kanbun("search1");
  const rss = median(runs.map((run) => run.kanbun.rssAfterMb));
  const start = median(runs.map((run) => run.kanbun.startMs));
  const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
  const times = (ratio: number) => `${ratio.toFixed(2)}×`;
  return [
    {
      name: "GET list req/s ≥ 70% of reference",
      measured: pct(list.rpsRatio),
      pass: list.rpsRatio >= 0.7,
    },
    {
      name: "POST req/s ≥ 55% of reference",
      measured: pct(create.rpsRatio),
      pass: create.rpsRatio >= 0.55,
    },
    {
      name: "GET list p99 ≤ 3× reference p99",
      measured: times(list.p99Ratio),
      pass: list.p99Ratio <= 3,
    },
    {
      name: "POST p99 ≤ 3× reference p99",
      measured: times(create.p99Ratio),
      pass: create.p99Ratio <= 3,
    },
    {
      name: "search p99 ≤ 3× reference p99",
      measured: times(search.p99Ratio),
      pass: search.p99Ratio <= 3,
    },
    { name: "RSS after load ≤ 120 MB", measured: `${rss.toFixed(1)} MB`, pass: rss <= 120 },
    {
      name: "search p99 ≤ 25 ms (100k tasks, 50 connections)",
      measured: `${search.p99.toFixed(1)} ms`,
      pass: search.p99 <= 25,
    },
    {
      name: "search p99 ≤ 25 ms (100k tasks, 1 connection)",
      measured: `${searchAlone.p99.toFixed(1)} ms`,
      pass: searchAlone.p99 <= 25,
    },
    {
      name: "start → first 200 from /health ≤ 500 ms",
      measured: `${start.toFixed(0)} ms`,
      pass: start <= 500,
    },
  ];
}

function serversIn(runs: RunResult[]): ServerName[] {
  return runs.some((run) => run.baseline)
    ? ["kanbun", "baseline", "reference"]
    : ["kanbun", "reference"];
}

export function markdownReport(runs: RunResult[], notes: string[]): string {
  const lines: string[] = [];
  const n = (value: number, digits = 1) => (Number.isNaN(value) ? "–" : value.toFixed(digits));
  lines.push(
    `### Kanbun vs reference (${runs.length} run${runs.length === 1 ? "" : "s"}, medians)`,
    "",
  );
  lines.push(
    "| scenario | server | req/s | p50 ms | p99 ms | errors/non-2xx | req/s ratio | p99 ratio |",
  );
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const scenario of Object.keys(SCENARIO_LABELS) as ScenarioName[]) {
    if (runs.every((run) => !run.kanbun.scenarios[scenario])) continue;
    for (const server of serversIn(runs)) {
      const f = figures(runs, server, scenario);
      const ratios =
        server === "reference" ? ["1", "1"] : [`${n(f.rpsRatio, 2)}`, `${n(f.p99Ratio, 2)}`];
      lines.push(
        `| ${SCENARIO_LABELS[scenario]} | ${server} | ${n(f.rps, 0)} | ${n(f.p50, 2)} | ${n(f.p99, 2)} | ${n(f.non2xx, 0)} | ${ratios.join(" | ")} |`,
      );
    }
  }
  lines.push(
    "",
    "| process | start → /health ms | RSS after load MB | peak RSS MB |",
    "| --- | ---: | ---: | ---: |",
  );
  for (const server of serversIn(runs)) {
    const pick = (fn: (run: ServerRun) => number) =>
      n(
        median(
          runs.map((run) => {
            const result = run[server];
            return result ? fn(result) : Number.NaN;
          }),
        ),
      );
    lines.push(
      `| ${server} | ${pick((r) => r.startMs)} | ${pick((r) => r.rssAfterMb)} | ${pick((r) => r.peakRssMb)} |`,
    );
  }
  lines.push("", "| target | measured | result |", "| --- | ---: | --- |");
  for (const target of evaluate(runs)) {
    const verdict = target.measured.includes("NaN") ? "not run" : target.pass ? "PASS" : "FAIL";
    lines.push(`| ${target.name} | ${target.measured.replace("NaN", "–")} | ${verdict} |`);
  }
  lines.push("", ...notes.map((note) => `- ${note}`));
  return `${lines.join("\n")}\n`;
}

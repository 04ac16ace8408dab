import { databasesSection } from "./report-databases";
import { realtimeSection } from "./report-realtime";
import {
  type BenchData,
  type Measurement,
  SCENARIO_LABELS,
  type ScenarioName,
  type ServerName,
  type StartDatabase,
} from "./results";
import { formatNumber, formatSummary, summarize } from "./stats";
import { evaluateTargets, pairedRatios, type RatioField } from "./targets";

/** The benchmark's Markdown report: every run's figures first, then medians with their spread. */

const n = formatNumber;

export function markdownReport(data: BenchData): string {
  const runs = `${data.runs} run${data.runs === 1 ? "" : "s"}`;
  const wrkScenarios =
    data.measurements.length === 0
      ? []
      : [...everyRun(data), "", ...medians(data), "", ...ratios(data), "", ...memory(data), ""];
  const realtime = realtimeSection(data);
  const databases = databasesSection(data);
  const lines = [
    `### Kanbun vs reference: ${runs}, load from ${data.toolVersion}`,
    "",
    ...wrkScenarios,
    ...(databases.length > 0 ? [...databases, ""] : []),
    ...(realtime.length > 0 ? [...realtime, ""] : []),
    ...(data.starts.length > 0 ? [...starts(data), ""] : []),
    ...targets(data),
    "",
    ...data.notes.map((note) => `- ${note}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The one line printed as each measurement finishes. */
export function progressLine(m: Measurement): string {
  return `  run ${m.run} ${m.server.padEnd(9)} ${SCENARIO_LABELS[m.scenario].padEnd(28)} ${n(m.rps, 0).padStart(6)} req/s  p99 ${n(m.p99Ms, 2)} ms  CPU ${n(m.cpuUsPerRequest, 0)} µs/req (${m.cpuTicks} ticks)  errors ${m.errors}`;
}

function scenariosIn(data: BenchData): ScenarioName[] {
  const present = new Set(data.measurements.map((m) => m.scenario));
  return (Object.keys(SCENARIO_LABELS) as ScenarioName[]).filter((s) => present.has(s));
}

function serversIn(data: BenchData): ServerName[] {
  const present = new Set(data.measurements.map((m) => m.server));
  return (["kanbun", "baseline", "reference"] as const).filter((s) => present.has(s));
}

function everyRun(data: BenchData): string[] {
  const lines = [
    "Every run (¹ went first in its pair; cores: the server's and the whole machine's, busy on average over the window):",
    "",
    "| scenario | run | server | req/s | p50 ms | p99 ms | CPU µs/req | server cores | machine cores | steal % | errors |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const scenario of scenariosIn(data)) {
    const servers = serversIn(data);
    const rows = data.measurements
      .filter((m) => m.scenario === scenario && servers.includes(m.server))
      .sort((a, b) => a.run - b.run || a.position - b.position);
    for (const m of rows) {
      lines.push(
        `| ${SCENARIO_LABELS[scenario]} | ${m.run} | ${m.server}${m.position === 1 ? "¹" : ""} | ${n(m.rps, 0)} | ${n(m.p50Ms, 2)} | ${n(m.p99Ms, 2)} | ${n(m.cpuUsPerRequest, 0)} | ${n(m.serverCores, 2)} | ${n(m.machineCores, 2)} | ${n(m.stealShare * 100, 1)} | ${m.errors} |`,
      );
    }
  }
  return lines;
}

function medians(data: BenchData): string[] {
  const lines = [
    "Median (min–max) over the runs:",
    "",
    "| scenario | server | req/s | p99 ms | CPU µs/req |",
    "| --- | --- | ---: | ---: | ---: |",
  ];
  for (const scenario of scenariosIn(data)) {
    for (const server of serversIn(data)) {
      const rows = data.measurements.filter((m) => m.scenario === scenario && m.server === server);
      const cell = (pick: (m: Measurement) => number, digits: number) =>
        formatSummary(summarize(rows.map(pick)), digits);
      lines.push(
        `| ${SCENARIO_LABELS[scenario]} | ${server} | ${cell((m) => m.rps, 0)} | ${cell((m) => m.p99Ms, 2)} | ${cell((m) => m.cpuUsPerRequest, 0)} |`,
      );
    }
  }
  return lines;
}

function ratios(data: BenchData): string[] {
  const compared = serversIn(data).filter((server) => server !== "reference");
  const runColumns = Array.from({ length: data.runs }, (_, i) => `run ${i + 1}`);
  const lines = [
    "Ratios to the reference, paired within each run:",
    "",
    `| scenario | server | figure | ${runColumns.join(" | ")} | median (min–max) |`,
    `| --- | --- | --- | ${runColumns.map(() => "---:").join(" | ")} | ---: |`,
  ];
  const figures: [RatioField, string][] = [
    ["cpuUsPerRequest", "CPU per request"],
    ["rps", "req/s"],
    ["p99Ms", "p99"],
  ];
  for (const scenario of scenariosIn(data)) {
    for (const server of compared) {
      for (const [field, label] of figures) {
        const pairs = pairedRatios(data.measurements, server, scenario, field);
        const perRun = runColumns.map((_, i) =>
          n(pairs.find((pair) => pair.run === i + 1)?.ratio ?? Number.NaN, 2),
        );
        const values = pairs.map((pair) => pair.ratio);
        lines.push(
          `| ${SCENARIO_LABELS[scenario]} | ${server} | ${label} | ${perRun.join(" | ")} | ${formatSummary(summarize(values), 2)} |`,
        );
      }
    }
  }
  return lines;
}

function memory(data: BenchData): string[] {
  const lines = [
    "| server | RSS after load MB, each run | median (min–max) | peak RSS MB, median (min–max) |",
    "| --- | --- | ---: | ---: |",
  ];
  for (const server of serversIn(data)) {
    const rows = data.processes.filter((p) => p.server === server).sort((a, b) => a.run - b.run);
    lines.push(
      `| ${server} | ${rows.map((p) => n(p.rssAfterMb, 1)).join(", ")} | ${formatSummary(summarize(rows.map((p) => p.rssAfterMb)), 1)} | ${formatSummary(summarize(rows.map((p) => p.peakRssMb)), 1)} |`,
    );
  }
  return lines;
}

function starts(data: BenchData): string[] {
  const lines = [
    "| start → first 200 from /health | database | each start, ms | median (min–max) |",
    "| --- | --- | --- | ---: |",
  ];
  const servers = [...new Set(data.starts.map((s) => s.server))];
  for (const database of ["empty", "seeded"] as StartDatabase[]) {
    for (const server of servers) {
      const samples = data.starts
        .filter((s) => s.server === server && s.database === database)
        .sort((a, b) => a.attempt - b.attempt);
      if (samples.length === 0) continue;
      lines.push(
        `| ${server} | ${database} | ${samples.map((s) => n(s.ms, 0)).join(", ")} | ${formatSummary(summarize(samples.map((s) => s.ms)), 0)} |`,
      );
    }
  }
  return lines;
}

function targets(data: BenchData): string[] {
  const lines = [
    "Targets (issue 12, section 5; the board scenarios' from issue 8; realtime from issue 9), judged on the median:",
    "",
    "| target | limit | measured, median (min–max) | verdict |",
    "| --- | --- | ---: | --- |",
  ];
  for (const target of evaluateTargets(data)) {
    const measured =
      target.measured.count === 0
        ? "–"
        : `${formatSummary(target.measured, target.digits)}${target.unit}`;
    const verdict = target.reason ? `${target.verdict} (${target.reason})` : target.verdict;
    lines.push(`| ${target.name} | ${target.limit} | ${measured} | ${verdict} |`);
  }
  if (data.tool !== "wrk") {
    lines.push(
      "",
      `**Verdicts are not given**: the load came from ${data.toolVersion}, a JavaScript process sharing the cores with the server, which flatters every ratio. Install wrk (\`apt-get install wrk\`) for PASS/FAIL.`,
    );
  }
  return lines;
}

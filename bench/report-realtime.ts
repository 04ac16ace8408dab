import type { BenchData, RealtimeFigures } from "./results";
import { formatSummary, formatNumber as n, summarize } from "./stats";
import { listRatios } from "./targets-realtime";

/** The realtime scenario's part of the report: every run, then the medians with their spread. */
export function realtimeSection(data: BenchData): string[] {
  const runs = [...(data.realtime ?? [])].sort((a, b) => a.run - b.run);
  const [first] = runs;
  if (!first) return [];
  const lines = [
    `Realtime: ${first.sockets} sockets on ${first.boards} boards, Kanbun alone (every run):`,
    "",
    `| run | open s | RSS fresh MB | RSS, ${first.warmSockets} sockets MB | RSS, all idle MB | KB/socket after the first ${first.warmSockets} | KB/socket over all | updates/s | updates answered / sent | deliveries received / expected | missing | duplicate | stray | before the response | p50 ms | p99 ms | max ms | PATCH p99 ms | cores: server / load / machine |`,
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...runs.map(deliveryRow),
    "",
    "GET /api/v1/tasks?limit=20 on the same server, without sockets and then with them all open and idle:",
    "",
    "| run | req/s without | req/s with | ratio | CPU µs/req without | CPU µs/req with | ratio | machine cores without / with |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...runs.map(listRow),
  ];
  if (runs.length > 1) {
    const cell = (pick: (f: RealtimeFigures) => number, digits: number) =>
      formatSummary(summarize(runs.map(pick)), digits);
    lines.push(
      "",
      "| realtime, median (min–max) | KB/socket after the first | KB/socket over all | updates/s | p50 ms | p99 ms | max ms | list req/s ratio | list CPU ratio |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      `| ${runs.length} runs | ${cell((f) => f.kbPerSocket, 1)} | ${cell((f) => f.kbPerSocketAll, 1)} | ${cell((f) => f.updates.rate, 1)} | ${cell((f) => f.deliveries.p50Ms, 2)} | ${cell((f) => f.deliveries.p99Ms, 2)} | ${cell((f) => f.deliveries.maxMs, 2)} | ${cell((f) => listRatios(f).rps, 2)} | ${cell((f) => listRatios(f).cpu, 2)} |`,
    );
  }
  return lines;
}

function deliveryRow(f: RealtimeFigures): string {
  const d = f.deliveries;
  const u = f.updates;
  return `| ${f.run} | ${n(f.openSeconds, 2)} | ${n(f.rssBeforeKb / 1024, 1)} | ${n(f.rssWarmKb / 1024, 1)} | ${n(f.rssIdleKb / 1024, 1)} | ${n(f.kbPerSocket, 1)} | ${n(f.kbPerSocketAll, 1)} | ${n(u.rate, 1)} | ${u.answered} / ${u.sent} | ${d.received} / ${d.expected} | ${d.missing} | ${d.duplicates} | ${d.stray} | ${d.beforeResponse} | ${n(d.p50Ms, 2)} | ${n(d.p99Ms, 2)} | ${n(d.maxMs, 2)} | ${n(u.httpP99Ms, 2)} | ${n(f.serverCores, 2)} / ${n(f.loadCores, 2)} / ${n(f.machineCores, 2)} |`;
}

function listRow(f: RealtimeFigures): string {
  const ratio = listRatios(f);
  const [without, withSockets] = [f.listWithout, f.listWith];
  return `| ${f.run} | ${n(without.rps, 0)} | ${n(withSockets.rps, 0)} | ${n(ratio.rps, 2)} | ${n(without.cpuUsPerRequest, 0)} | ${n(withSockets.cpuUsPerRequest, 0)} | ${n(ratio.cpu, 2)} | ${n(without.machineCores, 2)} / ${n(withSockets.machineCores, 2)} |`;
}

import { describe, expect, test } from "bun:test";
import { markdownReport, progressLine } from "../bench/report";
import type { BenchData, Measurement } from "../bench/results";
import { formatSummary, summarize } from "../bench/stats";
import { evaluateTargets, pairedRatios } from "../bench/targets";
import { measurement } from "./support/bench-measurements";

// The verdicts the benchmark prints follow from its figures by these rules; a wrong rule would
// print PASS where the targets are missed.

/** Three runs in which Kanbun is at the given ratios of the reference. */
function benchData(
  tool: BenchData["tool"],
  kanbun: { listCpu: number[]; listRps: number[]; searchP99: number[]; errors?: number },
): BenchData {
  const measurements = [1, 2, 3].flatMap((run) => [
    measurement(run, "reference", "list", { cpuUsPerRequest: 100, rps: 1000 }),
    measurement(run, "kanbun", "list", {
      cpuUsPerRequest: 100 * (kanbun.listCpu[run - 1] ?? 1),
      rps: 1000 * (kanbun.listRps[run - 1] ?? 1),
      errors: run === 2 ? (kanbun.errors ?? 0) : 0,
    }),
    measurement(run, "reference", "search", { p99Ms: 100 }),
    measurement(run, "kanbun", "search", { p99Ms: kanbun.searchP99[run - 1] ?? 0 }),
  ]);
  return {
    tool,
    toolVersion: tool === "wrk" ? "wrk 4.1.0 [epoll]" : "autocannon 9.0.0",
    runs: 3,
    measurements,
    processes: [1, 2, 3].flatMap((run) => [
      { run, server: "kanbun" as const, rssAfterMb: 90 + run * 5, peakRssMb: 120 },
      { run, server: "reference" as const, rssAfterMb: 55, peakRssMb: 66 },
    ]),
    starts: [80, 95, 140].map((ms, i) => ({
      server: "kanbun" as const,
      database: "empty" as const,
      attempt: i + 1,
      ms,
    })),
    ticksPerSecond: 100,
    notes: ["a note"],
  };
}

const verdicts = (data: BenchData) =>
  Object.fromEntries(evaluateTargets(data).map((t) => [t.name, t.verdict]));

describe("benchmark targets", () => {
  test("ratios pair Kanbun with the reference of the same run", () => {
    const data = benchData("wrk", {
      listCpu: [1.1, 1.5, 1.3],
      listRps: [0.8, 0.9, 1],
      searchP99: [],
    });
    expect(pairedRatios(data.measurements, "kanbun", "list", "cpuUsPerRequest")).toEqual([
      { run: 1, ratio: expect.closeTo(1.1, 9) },
      { run: 2, ratio: 1.5 },
      { run: 3, ratio: 1.3 },
    ]);
    expect(pairedRatios(data.measurements, "kanbun", "create", "rps")).toEqual([]);
  });

  test("with wrk, each target passes or fails on its median, whatever the extremes", () => {
    const data = benchData("wrk", {
      listCpu: [1.0, 1.19, 3.0], // median 1.19 ≤ 1.2
      listRps: [0.5, 0.84, 0.99], // median 0.84 < 0.85
      searchP99: [10, 26, 20], // median 20 ≤ 25
    });
    expect(verdicts(data)).toEqual({
      "CPU per request, GET /tasks?limit=20, vs reference": "PASS",
      "CPU per request, POST /tasks, vs reference": "not run",
      "req/s, GET /tasks?limit=20, vs reference": "FAIL",
      "req/s, POST /tasks, vs reference": "not run",
      "req/s, GET /boards/{id} (10 lists × 50 cards, 5 members), vs reference": "not run",
      "req/s, moving a card to another list, vs reference": "not run",
      "RSS after load": "PASS", // 95, 100, 105 MB: the median is on the limit
      "search p99, 50 connections, seeded database": "PASS",
      "start → first /health, empty database": "PASS",
      "start → first /health, seeded database": "not run",
      "realtime: every update on every member's socket, exactly once (1,000 sockets)": "not run",
      "realtime: delivery p99, HTTP response → member's socket": "not run",
      "realtime: server RSS per idle socket, after the first 100": "not run",
      "req/s, GET /tasks?limit=20, 1,000 idle sockets vs none": "not run",
      "CPU per request, GET /tasks?limit=20, 1,000 idle sockets vs none": "not run",
    });
  });

  test("the board scenarios pass from 0.60 of the reference's req/s, judged on the median", () => {
    const data = benchData("wrk", { listCpu: [1, 1, 1], listRps: [1, 1, 1], searchP99: [] });
    const board = [0.4, 0.6, 0.9];
    const moves = [0.59, 0.58, 0.99];
    for (const run of [1, 2, 3]) {
      data.measurements.push(
        measurement(run, "reference", "board", { rps: 1000 }),
        measurement(run, "kanbun", "board", { rps: 1000 * (board[run - 1] ?? 0) }),
        measurement(run, "reference", "move", { rps: 1000 }),
        measurement(run, "kanbun", "move", { rps: 1000 * (moves[run - 1] ?? 0) }),
      );
    }
    const result = verdicts(data);
    expect(result["req/s, GET /boards/{id} (10 lists × 50 cards, 5 members), vs reference"]).toBe(
      "PASS",
    );
    expect(result["req/s, moving a card to another list, vs reference"]).toBe("FAIL");
  });

  test("failed requests in a target's scenario withhold its verdict", () => {
    const data = benchData("wrk", {
      listCpu: [1, 1, 1],
      listRps: [1, 1, 1],
      searchP99: [1, 1, 1],
      errors: 7,
    });
    const list = evaluateTargets(data).find((t) => t.name.startsWith("CPU per request, GET"));
    expect(list).toMatchObject({ verdict: "no verdict", reason: "7 failed requests" });
    expect(verdicts(data)["search p99, 50 connections, seeded database"]).toBe("PASS");
  });

  test("with autocannon there is no PASS or FAIL anywhere, and the report says why", () => {
    const data = benchData("autocannon", {
      listCpu: [2, 2, 2],
      listRps: [0.1, 0.1, 0.1],
      searchP99: [1, 1, 1],
    });
    expect(new Set(Object.values(verdicts(data)))).toEqual(new Set(["no verdict", "not run"]));
    const report = markdownReport(data);
    expect(report).not.toMatch(/\| (PASS|FAIL) \|/);
    expect(report).toContain("| no verdict (load from autocannon, not wrk) |");
    expect(report).toContain("**Verdicts are not given**: the load came from autocannon 9.0.0");
  });
});

describe("benchmark report", () => {
  test("every run's figures are printed, and the spread beside each median", () => {
    const data = benchData("wrk", {
      listCpu: [1.1, 1.5, 1.3],
      listRps: [0.8, 0.9, 1],
      searchP99: [10, 30, 20],
    });
    const report = markdownReport(data);
    expect(report).toContain("load from wrk 4.1.0 [epoll]");
    // Kanbun's list row of run 2 (it went first), and the per-run ratios with their spread.
    expect(report).toContain(
      "| GET /api/v1/tasks?limit=20 | 2 | kanbun¹ | 900 | 5.00 | 10.00 | 150 |",
    );
    expect(report).toContain(
      "| GET /api/v1/tasks?limit=20 | kanbun | 900 (800–1000) | 10.00 (10.00–10.00) | 130 (110–150) |",
    );
    expect(report).toContain("| CPU per request | 1.10 | 1.50 | 1.30 | 1.30 (1.10–1.50) |");
    expect(report).toContain("| kanbun | 95.0, 100.0, 105.0 | 100.0 (95.0–105.0) |");
    expect(report).toContain("| kanbun | empty | 80, 95, 140 | 95 (80–140) |");
    expect(report).toContain(
      "| search p99, 50 connections, seeded database | ≤ 25 ms | 20.0 (10.0–30.0) ms | PASS |",
    );
    expect(report).toContain("- a note");
    expect(progressLine(data.measurements[1] as Measurement)).toContain(
      "CPU 110 µs/req (1000 ticks)",
    );
  });

  test("a median stands alone when there is one value, and a dash when there is none", () => {
    expect(formatSummary(summarize([3, 1, 2]), 1)).toBe("2.0 (1.0–3.0)");
    expect(formatSummary(summarize([4, 1, 2, 3]), 1)).toBe("2.5 (1.0–4.0)");
    expect(formatSummary(summarize([7]), 0)).toBe("7");
    expect(formatSummary(summarize([Number.NaN]), 0)).toBe("–");
  });
});

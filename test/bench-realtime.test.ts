import { describe, expect, test } from "bun:test";
import {
  deliveredExactly,
  deliveryKey,
  keyOfMessage,
  latencyFigures,
  matchDeliveries,
  type Reception,
  type SentUpdate,
  summarizeDeliveries,
} from "../bench/realtime-deliveries";
import { markdownReport } from "../bench/report";
import type { BenchData, Measurement, RealtimeFigures } from "../bench/results";
import { percentile } from "../bench/stats";
import { evaluateTargets } from "../bench/targets";

// The realtime scenario's verdicts follow from these rules: a wrong match would hide a lost or
// doubled delivery, a wrong percentile would pass a slow p99.

describe("percentile", () => {
  test("is the nearest rank, whatever the order of the values", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 1)).toBe(1);
    expect(values[0]).toBe(5); // the caller's array is left as it was
  });

  test("of 1,000 values, p99 is the 990th and not the maximum", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(percentile(values, 99)).toBe(990);
    expect(percentile(values, 50)).toBe(500);
  });

  test("is NaN for no values, and refuses a p outside (0, 100]", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow("(0, 100]");
    expect(() => percentile([1], 101)).toThrow("(0, 100]");
    expect(() => percentile([1], Number.NaN)).toThrow();
  });
});

describe("matching deliveries to updates", () => {
  test("a task.updated event is known by its task id and version, anything else is not", () => {
    const key = keyOfMessage({ type: "task.updated", seq: 9, data: { id: 12, version: 3 } });
    expect(key).toBe(deliveryKey(12, 3));
    expect(deliveryKey(12, 3)).not.toBe(deliveryKey(123, 3));
    expect(keyOfMessage({ type: "task.created", data: { id: 12, version: 3 } })).toBeNull();
    expect(keyOfMessage({ type: "task.updated", data: { id: 12 } })).toBeNull();
    expect(keyOfMessage({ type: "task.updated", data: { id: "12", version: 3 } })).toBeNull();
    expect(keyOfMessage({ type: "task.updated", data: null })).toBeNull();
    expect(keyOfMessage({ type: "ready", seq: 4 })).toBeNull();
    expect(keyOfMessage(null)).toBeNull();
    expect(keyOfMessage("task.updated")).toBeNull();
  });

  // Board 0 has sockets 0 and 1, board 1 has sockets 2 and 3.
  const sockets = (board: number) => (board === 0 ? [0, 1] : board === 1 ? [2, 3] : []);
  const updates: SentUpdate[] = [
    { key: deliveryKey(1, 2), board: 0, respondedAt: 100 },
    { key: deliveryKey(5, 2), board: 1, respondedAt: 110 },
  ];
  const allArrived: Reception[] = [
    { socket: 0, key: deliveryKey(1, 2), at: 101 },
    { socket: 1, key: deliveryKey(1, 2), at: 99.5 }, // before the response: the event went first
    { socket: 2, key: deliveryKey(5, 2), at: 112 },
    { socket: 3, key: deliveryKey(5, 2), at: 150 },
  ];

  test("every update on each of its board's sockets once is exact, with one latency per pair", () => {
    const tally = matchDeliveries(updates, allArrived, sockets);
    expect(tally).toMatchObject({
      expected: 4,
      received: 4,
      missing: 0,
      duplicates: 0,
      stray: 0,
      beforeResponse: 1,
    });
    expect(tally.latenciesMs).toEqual([1, -0.5, 2, 40]);
    expect(deliveredExactly(tally)).toBe(true);
  });

  test("a missing delivery is counted and is not exact", () => {
    const tally = matchDeliveries(updates, allArrived.slice(0, 3), sockets);
    expect(tally).toMatchObject({ expected: 4, received: 3, missing: 1 });
    expect(deliveredExactly(tally)).toBe(false);
  });

  test("a second arrival on the same socket is a duplicate, not a second delivery", () => {
    const again = { socket: 3, key: deliveryKey(5, 2), at: 160 };
    const tally = matchDeliveries(updates, [...allArrived, again], sockets);
    expect(tally).toMatchObject({ received: 4, missing: 0, duplicates: 1 });
    expect(tally.latenciesMs).toHaveLength(4);
    expect(deliveredExactly(tally)).toBe(false);
  });

  test("an arrival on another board's socket, or of no update sent, is stray", () => {
    const strays: Reception[] = [
      { socket: 2, key: deliveryKey(1, 2), at: 101 }, // board 0's update on board 1's socket
      { socket: 0, key: deliveryKey(1, 3), at: 101 }, // a version nobody made
    ];
    const tally = matchDeliveries(updates, [...allArrived, ...strays], sockets);
    expect(tally).toMatchObject({ received: 4, missing: 0, duplicates: 0, stray: 2 });
    expect(deliveredExactly(tally)).toBe(false);
  });

  test("one delivery cannot stand in for another socket's: the pair is (update, socket)", () => {
    const twiceOnOne: Reception[] = [
      { socket: 0, key: deliveryKey(1, 2), at: 101 },
      { socket: 0, key: deliveryKey(1, 2), at: 102 },
    ];
    const tally = matchDeliveries(updates.slice(0, 1), twiceOnOne, sockets);
    expect(tally).toMatchObject({ expected: 2, received: 1, missing: 1, duplicates: 1 });
  });

  test("nothing expected is not a success, and an update sent twice is refused", () => {
    expect(deliveredExactly(matchDeliveries([], [], sockets))).toBe(false);
    expect(() =>
      matchDeliveries([updates[0] as SentUpdate, updates[0] as SentUpdate], [], sockets),
    ).toThrow("sent twice");
  });

  test("latency figures are p50, p99 and the maximum of the deliveries", () => {
    const latencies = Array.from({ length: 200 }, (_, i) => i / 10); // 0.0 … 19.9 ms
    expect(latencyFigures(latencies)).toEqual({ p50Ms: 9.9, p99Ms: 19.7, maxMs: 19.9 });
    expect(latencyFigures([]).p99Ms).toBeNaN();
  });
});

function list(rps: number, cpuUsPerRequest: number, errors = 0): Measurement {
  return {
    run: 1,
    scenario: "list",
    server: "kanbun",
    position: 1,
    requests: rps * 10,
    seconds: 10,
    rps,
    p50Ms: 5,
    p99Ms: 10,
    errors,
    cpuTicks: 500,
    cpuUsPerRequest,
    serverCores: 1,
    machineCores: 1.8,
    stealShare: 0,
  };
}

function figures(run: number, changes: Partial<RealtimeFigures> = {}): RealtimeFigures {
  return {
    run,
    sockets: 1000,
    boards: 100,
    openSeconds: 0.4,
    warmSockets: 100,
    rssBeforeKb: 60_000,
    rssWarmKb: 80_800,
    rssIdleKb: 88_000,
    kbPerSocket: 8,
    kbPerSocketAll: 28,
    idleMessages: 0,
    updates: { sent: 2000, answered: 2000, failed: 0, seconds: 20, rate: 100, httpP99Ms: 9 },
    deliveries: {
      expected: 20_000,
      received: 20_000,
      missing: 0,
      duplicates: 0,
      stray: 0,
      beforeResponse: 5000,
      exact: true,
      p50Ms: 0.5,
      p99Ms: 3,
      maxMs: 12,
    },
    closedEarly: 0,
    serverCores: 0.2,
    loadCores: 0.1,
    machineCores: 1.2,
    listWithout: list(4000, 200),
    listWith: list(3900, 210),
    ...changes,
  };
}

function realtimeData(runs: RealtimeFigures[], tool: BenchData["tool"] = "wrk"): BenchData {
  return {
    tool,
    toolVersion: tool === "wrk" ? "wrk 4.1.0 [epoll]" : "autocannon 9.0.0",
    runs: runs.length,
    measurements: [],
    processes: [],
    starts: [],
    ticksPerSecond: 100,
    notes: [],
    realtime: runs,
  };
}

const TARGETS = {
  delivery: "exactly once",
  p99: "delivery p99",
  memory: "per idle socket",
  rps: "req/s, GET /tasks?limit=20, 1,000 idle sockets",
  cpu: "CPU per request, GET /tasks?limit=20, 1,000 idle sockets",
} as const;

/** The realtime targets' verdicts, with the reason when there is one. */
function realtimeVerdicts(data: BenchData): Record<keyof typeof TARGETS, string> {
  const results = evaluateTargets(data);
  const verdict = (part: string) => {
    const found = results.filter((t) => t.name.includes(part));
    if (found.length !== 1) throw new Error(`${found.length} targets named like ${part}`);
    const [t] = found;
    return t?.reason ? `${t.verdict}: ${t.reason}` : (t?.verdict ?? "");
  };
  return {
    delivery: verdict(TARGETS.delivery),
    p99: verdict(TARGETS.p99),
    memory: verdict(TARGETS.memory),
    rps: verdict(TARGETS.rps),
    cpu: verdict(TARGETS.cpu),
  };
}

describe("realtime targets", () => {
  test("within the limits every realtime target passes", () => {
    expect(realtimeVerdicts(realtimeData([figures(1), figures(2)]))).toEqual({
      delivery: "PASS",
      p99: "PASS",
      memory: "PASS",
      rps: "PASS",
      cpu: "PASS",
    });
  });

  test("delivery fails on one missing delivery in any run, whatever the median", () => {
    const lost = figures(2, {
      deliveries: { ...figures(2).deliveries, received: 19_999, missing: 1, exact: false },
    });
    const data = realtimeData([figures(1), lost, figures(3)]);
    const delivery = evaluateTargets(data).find((t) => t.name.includes(TARGETS.delivery));
    expect(delivery).toMatchObject({ verdict: "FAIL", measured: { median: 0, max: 1 } });
  });

  test("a duplicate or a stray delivery fails delivery too", () => {
    const doubled = figures(1, { deliveries: { ...figures(1).deliveries, duplicates: 2 } });
    const stray = figures(1, { deliveries: { ...figures(1).deliveries, stray: 1 } });
    expect(realtimeVerdicts(realtimeData([doubled])).delivery).toBe("FAIL");
    expect(realtimeVerdicts(realtimeData([stray])).delivery).toBe("FAIL");
  });

  test("p99 and memory per socket pass up to their limits, judged on the median", () => {
    const at = (run: number, p99Ms: number, kbPerSocket: number) =>
      figures(run, { kbPerSocket, deliveries: { ...figures(run).deliveries, p99Ms } });
    const within = realtimeVerdicts(realtimeData([at(1, 50, 10), at(2, 80, 30), at(3, 2, 1)]));
    expect(within).toMatchObject({ p99: "PASS", memory: "PASS" });
    const over = realtimeVerdicts(realtimeData([at(1, 50.1, 10.1), at(2, 80, 30), at(3, 2, 1)]));
    expect(over).toMatchObject({ p99: "FAIL", memory: "FAIL" });
  });

  test("the list scenario counts as unchanged within a tenth of itself without sockets", () => {
    const slower = figures(1, { listWith: list(3590, 200) }); // 0.8975× the req/s
    const costlier = figures(1, { listWith: list(4000, 221) }); // 1.105× the CPU
    expect(realtimeVerdicts(realtimeData([slower]))).toMatchObject({ rps: "FAIL", cpu: "PASS" });
    expect(realtimeVerdicts(realtimeData([costlier]))).toMatchObject({ rps: "PASS", cpu: "FAIL" });
  });

  test("failed updates or list requests withhold the verdicts they stand behind", () => {
    const failedUpdates = figures(1, { updates: { ...figures(1).updates, failed: 3 } });
    const failedList = figures(2, { listWith: list(3900, 210, 4) });
    expect(realtimeVerdicts(realtimeData([failedUpdates, failedList]))).toEqual({
      delivery: "no verdict: 3 failed requests",
      p99: "no verdict: 3 failed requests",
      memory: "PASS",
      rps: "no verdict: 4 failed requests",
      cpu: "no verdict: 4 failed requests",
    });
  });

  test("with autocannon, only the list ratios lose their verdict: delivery is not its load", () => {
    expect(realtimeVerdicts(realtimeData([figures(1)], "autocannon"))).toEqual({
      delivery: "PASS",
      p99: "PASS",
      memory: "PASS",
      rps: "no verdict: load from autocannon, not wrk",
      cpu: "no verdict: load from autocannon, not wrk",
    });
  });
});

describe("realtime report", () => {
  test("prints every run's deliveries and list figures, then medians over the runs", () => {
    const second = figures(2, {
      kbPerSocket: 9.5,
      deliveries: { ...figures(2).deliveries, p99Ms: 5, maxMs: 20 },
    });
    const report = markdownReport(realtimeData([figures(1), second]));
    expect(report).toContain("Realtime: 1000 sockets on 100 boards");
    expect(report).toContain(
      "| 1 | 0.40 | 58.6 | 78.9 | 85.9 | 8.0 | 28.0 | 100.0 | 2000 / 2000 | 20000 / 20000 | 0 | 0 | 0 | 5000 | 0.50 | 3.00 | 12.00 | 9.00 | 0.20 / 0.10 / 1.20 |",
    );
    expect(report).toContain("| 1 | 4000 | 3900 | 0.97 | 200 | 210 | 1.05 | 1.80 / 1.80 |");
    expect(report).toContain(
      "| 2 runs | 8.8 (8.0–9.5) | 28.0 (28.0–28.0) | 100.0 (100.0–100.0) | 0.50 (0.50–0.50) | 4.00 (3.00–5.00) | 16.00 (12.00–20.00) | 0.97 (0.97–0.97) | 1.05 (1.05–1.05) |",
    );
    expect(report).toContain(
      "| realtime: delivery p99, HTTP response → member's socket | ≤ 50 ms | 4.00 (3.00–5.00) ms | PASS |",
    );
    // Only realtime ran: no empty tables of the wrk scenarios or start-up.
    expect(report).not.toContain("Every run (¹");
    expect(report).not.toContain("start → first 200");
  });

  test("one run has no median row, and a bench without realtime has no realtime section", () => {
    expect(markdownReport(realtimeData([figures(1)]))).not.toContain("| 1 runs |");
    const none = markdownReport({ ...realtimeData([]), realtime: undefined });
    expect(none).not.toContain("Realtime:");
    expect(none).toContain(
      "| realtime: server RSS per idle socket, after the first 100 | ≤ 10 KB | – | not run |",
    );
  });
});

test("a tally's summary keeps its counts, says whether it was exact, and gives its latencies", () => {
  const tally = {
    expected: 4,
    received: 4,
    missing: 0,
    duplicates: 0,
    stray: 0,
    beforeResponse: 1,
    latenciesMs: [-1, 2, 3, 10],
  };
  const summary = summarizeDeliveries(tally);
  expect(summary).toMatchObject({ expected: 4, received: 4, beforeResponse: 1, exact: true });
  expect(summary.maxMs).toBe(10);
  expect(summary).not.toHaveProperty("latenciesMs");
  expect(summarizeDeliveries({ ...tally, missing: 1, received: 3 }).exact).toBe(false);
});

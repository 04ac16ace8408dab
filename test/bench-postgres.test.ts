import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { othersTicks, type ProcSnapshot, readSnapshot } from "../bench/cpu-time";
import type { LoadResult } from "../bench/load";
import { parseOptions } from "../bench/options";
import { markdownReport } from "../bench/report";
import { postgresNote, postgresProgressLine, totalUsPerRequest } from "../bench/report-databases";
import type { BenchData, Measurement } from "../bench/results";
import { combineLoads, splitConnections, startOffsets } from "../bench/shared-load";
import { measurement } from "./support/bench-measurements";

// The PostgreSQL columns of the benchmark: splitting one load between two instances, putting
// their figures back together, counting the database server's CPU, and printing them beside
// SQLite's without changing the SQLite-only report.

/** A /proc/<pid>/stat line (proc(5)) with utime (field 14) and stime (field 15) as given. */
function statLine(pid: number, utime: number, stime: number): string {
  const afterComm = ["S", 1, 1, 1, 0, -1, 4194304, 755, 0, 0, 0, utime, stime, 7, 9, 20, 0, 2];
  return `${pid} (postgres) ${afterComm.join(" ")} 0 146046 6570110976 3930`;
}

function snapshot(kanbunTicks: number, machineBusy: number, others?: string[]): ProcSnapshot {
  return {
    process: statLine(100, kanbunTicks, 0),
    machine: `cpu  ${machineBusy} 0 0 1000 0 0 0 0 0 0`,
    ...(others ? { others } : {}),
  };
}

function load(figures: Partial<LoadResult>): LoadResult {
  return {
    requests: 10_000,
    seconds: 10,
    p50Ms: 5,
    p99Ms: 20,
    maxMs: 50,
    non2xx: 0,
    socketErrors: 0,
    start: snapshot(0, 0),
    end: snapshot(100, 1500),
    ...figures,
  };
}

describe("splitting one load between instances", () => {
  test("connections split as evenly as whole connections allow, all of them used", () => {
    expect(splitConnections(50, 2)).toEqual([25, 25]);
    expect(splitConnections(51, 2)).toEqual([26, 25]);
    expect(splitConnections(7, 3)).toEqual([3, 2, 2]);
    expect(splitConnections(50, 1)).toEqual([50]);
  });

  test("a load too small to split, or split no ways, is refused", () => {
    expect(() => splitConnections(1, 2)).toThrow("1 connections cannot be split 2 ways");
    expect(() => splitConnections(50, 0)).toThrow("Cannot split a load 0 ways");
    expect(() => splitConnections(50, 1.5)).toThrow("Cannot split a load 1.5 ways");
  });

  test("the generators start spread over the tokens, the first at the beginning", () => {
    expect(startOffsets(1000, 2)).toEqual([0, 500]);
    expect(startOffsets(100, 3)).toEqual([0, 33, 66]);
    expect(startOffsets(1, 2)).toEqual([0, 0]);
  });
});

describe("the database server's CPU time", () => {
  test("summed over the processes read at both ends of the window", () => {
    const start = snapshot(0, 0, [statLine(7, 100, 10), statLine(8, 50, 0), statLine(9, 5, 5)]);
    const end = snapshot(0, 0, [statLine(7, 300, 30), statLine(8, 50, 0), statLine(9, 25, 5)]);
    expect(othersTicks(start, end)).toEqual({ ticks: 220 + 0 + 20, counted: 3, missing: 0 });
  });

  test("a process gone at either end, or a pid reused by another process, is missing, not zero", () => {
    const start = snapshot(0, 0, [statLine(7, 100, 0), "", statLine(9, 10, 0)]);
    const end = snapshot(0, 0, [statLine(7, 160, 0), statLine(8, 40, 0), ""]);
    expect(othersTicks(start, end)).toEqual({ ticks: 60, counted: 1, missing: 2 });
    const reused = snapshot(0, 0, [statLine(70, 500, 0)]);
    expect(othersTicks(snapshot(0, 0, [statLine(7, 1, 0)]), reused)).toEqual({
      ticks: 0,
      counted: 0,
      missing: 1,
    });
  });

  test("a live process is read from /proc, one that does not exist as empty", () => {
    const gone = 2 ** 22 + 12_345; // above the default pid_max: never a live process
    const read = readSnapshot(process.pid, [process.pid, gone]);
    expect(read.others?.[0]).toStartWith(`${process.pid} (`);
    expect(read.others?.[1]).toBe("");
    expect(readSnapshot(process.pid).others).toBeUndefined();
  });

  test("no processes asked for count nothing; lists of different lengths are refused", () => {
    expect(othersTicks(snapshot(0, 0), snapshot(5, 5))).toEqual({
      ticks: 0,
      counted: 0,
      missing: 0,
    });
    expect(() => othersTicks(snapshot(0, 0, [statLine(7, 1, 0)]), snapshot(0, 0, []))).toThrow(
      "1 processes read at the start, 0 at the end",
    );
  });
});

describe("two generators' results as one measurement", () => {
  const where = { run: 2, scenario: "list" as const, server: "postgres-2" as const, position: 1 };

  test("requests, rates and errors add up; p99 is the higher one, p50 weighted by requests", () => {
    const m = combineLoads(
      where,
      [
        load({ requests: 30_000, seconds: 10, p50Ms: 4, p99Ms: 30, non2xx: 2 }),
        load({ requests: 10_000, seconds: 8, p50Ms: 8, p99Ms: 50, socketErrors: 3 }),
      ],
      100,
    );
    expect(m).toMatchObject({ ...where, requests: 40_000, errors: 5, p99Ms: 50, instances: 2 });
    expect(m.rps).toBeCloseTo(3000 + 1250, 6);
    expect(m.p50Ms).toBeCloseTo((4 * 30_000 + 8 * 10_000) / 40_000, 6);
    expect(m.seconds).toBeCloseTo(9, 6);
  });

  test("Kanbun's CPU is both processes'; the database's is read by the first generator", () => {
    const database = (a: number, b: number) => [statLine(7, a, 0), statLine(8, b, 0)];
    const m = combineLoads(
      where,
      [
        load({
          requests: 20_000,
          start: snapshot(1000, 0, database(0, 0)),
          end: snapshot(1600, 3000, database(500, 300)),
        }),
        load({ requests: 20_000, start: snapshot(50, 0), end: snapshot(450, 2000) }),
      ],
      100,
    );
    // Kanbun 600 + 400 ticks = 10 s over 40,000 requests; PostgreSQL 800 ticks = 8 s.
    expect(m.cpuTicks).toBe(1000);
    expect(m.cpuUsPerRequest).toBeCloseTo(250, 6);
    expect(m.databaseCpuTicks).toBe(800);
    expect(m.databaseCpuUsPerRequest).toBeCloseTo(200, 6);
    expect(totalUsPerRequest(m)).toBeCloseTo(450, 6);
    expect(m.serverCores).toBeCloseTo(0.6 + 0.4, 6);
    expect(m.machineCores).toBeCloseTo(3, 6);
    expect(m).toMatchObject({ databaseProcesses: 2, databaseProcessesMissing: 0 });
  });

  test("one instance is one generator; no requests gives no per-request figure", () => {
    const m = combineLoads({ ...where, server: "postgres" }, [load({ requests: 0 })], 100);
    expect(m.instances).toBe(1);
    expect(m.cpuUsPerRequest).toBeNaN();
    expect(m.databaseCpuUsPerRequest).toBeNaN();
    expect(m.p50Ms).toBeNaN();
    expect(m.p99Ms).toBeNaN();
    expect(() => combineLoads(where, [], 100)).toThrow("No load results to combine");
  });
});

describe("choosing the databases", () => {
  const URL = "postgres://postgres@127.0.0.1:5432/postgres";

  test("by default SQLite only, with no PostgreSQL server needed", () => {
    const options = parseOptions([], {});
    expect(options.databases).toEqual(["sqlite"]);
    expect(options.postgresUrl).toBeUndefined();
    // A server in the environment is not used unless PostgreSQL is asked for.
    expect(parseOptions([], { TEST_DATABASE_URL: URL }).postgresUrl).toBeUndefined();
  });

  test("PostgreSQL from --postgres-url, else TEST_DATABASE_URL; named in a fixed order", () => {
    const options = parseOptions(
      ["--databases", "postgres-2,sqlite,postgres", "--postgres-url", URL],
      { TEST_DATABASE_URL: "postgres://elsewhere/x" },
    );
    expect(options.databases).toEqual(["sqlite", "postgres", "postgres-2"]);
    expect(options.postgresUrl).toBe(URL);
    const fromEnv = parseOptions(["--databases", "postgres"], { TEST_DATABASE_URL: URL });
    expect(fromEnv).toMatchObject({ databases: ["postgres"], postgresUrl: URL });
  });

  test("PostgreSQL without a server, an unknown name, or with --profile fails before anything runs", () => {
    expect(() => parseOptions(["--databases", "sqlite,postgres"], {})).toThrow(
      "--databases names PostgreSQL but no server is given: pass --postgres-url",
    );
    expect(() => parseOptions(["--databases", "postgres-2", "--postgres-url", ""], {})).toThrow(
      "no server is given",
    );
    expect(() => parseOptions(["--databases", "sqlite,mysql"], {})).toThrow(
      "Unknown databases: mysql (of sqlite, postgres, postgres-2)",
    );
    expect(() =>
      parseOptions(["--databases", "postgres", "--postgres-url", URL, "--profile"], {}),
    ).toThrow("--profile runs Kanbun on SQLite only");
  });
});

function benchData(measurements: Measurement[]): BenchData {
  return {
    tool: "wrk",
    toolVersion: "wrk 4.1.0 [epoll]",
    runs: 2,
    measurements,
    processes: [],
    starts: [],
    ticksPerSecond: 100,
    notes: ["a note"],
  };
}

const sqliteOnly = [1, 2].flatMap((run) => [
  measurement(run, "kanbun", "list", { rps: 4000 + run * 100 }),
  measurement(run, "reference", "list", { rps: 6000, position: 2 }),
]);

const onPostgres = (
  server: "postgres" | "postgres-2",
  run: number,
  figures: Partial<Measurement>,
) =>
  measurement(run, server, "list", {
    instances: server === "postgres" ? 1 : 2,
    databaseCpuTicks: 500,
    databaseCpuUsPerRequest: 100,
    databaseProcesses: 14,
    databaseProcessesMissing: 0,
    ...figures,
  });

describe("the report beside SQLite", () => {
  test("a SQLite-only report has no PostgreSQL section", () => {
    const report = markdownReport(benchData(sqliteOnly));
    expect(report).not.toContain("PostgreSQL");
  });

  test("one table per scenario: each run, then the median, Kanbun's and PostgreSQL's CPU and their sum", () => {
    const data = benchData([
      ...sqliteOnly,
      onPostgres("postgres", 1, { rps: 1000, p99Ms: 80, cpuUsPerRequest: 300 }),
      onPostgres("postgres", 2, { rps: 1200, p99Ms: 60, cpuUsPerRequest: 340, errors: 2 }),
      onPostgres("postgres-2", 1, {
        rps: 1500,
        cpuUsPerRequest: 350,
        databaseCpuUsPerRequest: 150,
      }),
      onPostgres("postgres-2", 2, {
        rps: 1700,
        cpuUsPerRequest: 370,
        databaseCpuUsPerRequest: 170,
        errors: 1,
      }),
    ]);
    const report = markdownReport(data);
    expect(report).toContain(
      "### SQLite, PostgreSQL, and two instances on PostgreSQL sharing the load",
    );
    expect(report).toContain("#### GET /api/v1/tasks?limit=20");
    expect(report).toContain("| figure | SQLite | PostgreSQL | PostgreSQL × 2 |");
    expect(report).toContain("| req/s, each run | 4100, 4200 | 1000, 1200 | 1500, 1700 |");
    expect(report).toContain(
      "| req/s, median (min–max) | 4150 (4100–4200) | 1100 (1000–1200) | 1600 (1500–1700) |",
    );
    expect(report).toContain("| p99 ms, each run | 10.00, 10.00 | 80.00, 60.00 | 10.00, 10.00 |");
    expect(report).toContain("| CPU µs/req, Kanbun, each run | 200, 200 | 300, 340 | 350, 370 |");
    expect(report).toContain(
      "| CPU µs/req, PostgreSQL, each run | in Kanbun's | 100, 100 | 150, 170 |",
    );
    expect(report).toContain(
      "| CPU µs/req, summed, median (min–max) | 200 (200–200) | 420 (400–440) | 520 (500–540) |",
    );
    // 500 ticks at 100 a second over a 10 s window.
    expect(report).toContain(
      "| cores busy, PostgreSQL, each run | in Kanbun's | 0.50, 0.50 | 0.50, 0.50 |",
    );
    expect(report).toContain("| errors, all runs | 0 | 2 | 1 |");
    // The rows of Kanbun on PostgreSQL stay out of the tables against the reference.
    expect(report).not.toContain("| postgres");
  });

  test("only the setups that ran get a column", () => {
    const report = markdownReport(
      benchData([...sqliteOnly, onPostgres("postgres-2", 1, {}), onPostgres("postgres-2", 2, {})]),
    );
    expect(report).toContain("| figure | SQLite | PostgreSQL × 2 |");
  });

  test("the progress line and the note say what was counted", () => {
    const line = postgresProgressLine(
      onPostgres("postgres-2", 1, {
        rps: 1234.4,
        cpuUsPerRequest: 321,
        databaseProcessesMissing: 1,
      }),
    );
    expect(line).toContain("postgres-2");
    expect(line).toContain("1234 req/s");
    expect(line).toContain(
      "CPU Kanbun 321 + PostgreSQL 100 µs/req (14 database processes read, 1 at one end only)",
    );
    const note = postgresNote({ connections: 51, databases: ["sqlite", "postgres", "postgres-2"] });
    expect(note).toContain("PostgreSQL (postgres, postgres-2)");
    expect(note).toContain("(26 and 25 connections");
  });
});

// The wrk script itself: the further pids it reads and where it starts in the token list.
describe.skipIf(!Bun.which("wrk"))("the wrk script", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("starts at the offset given and reads the further processes at both ends", async () => {
    dir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
    const seen: string[] = [];
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request) {
        seen.push(request.headers.get("authorization") ?? "");
        return new Response("ok");
      },
    });
    try {
      writeFileSync(join(dir, "tokens"), "t0\nt1\nt2\nt3\n");
      writeFileSync(join(dir, "targets"), "/a\t\n");
      const gone = 2 ** 22 + 12_345; // above the default pid_max: never a live process
      const wrk = Bun.spawn(
        [
          "wrk",
          "-t1",
          "-c1",
          "-d1s",
          "-s",
          join(import.meta.dir, "../bench/rotate.lua"),
          `http://127.0.0.1:${server.port}`,
          "--",
          join(dir, "tokens"),
          "GET",
          join(dir, "targets"),
          String(process.pid),
          `${process.pid},${gone}`,
          "2",
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
      const output = await new Response(wrk.stdout).text();
      expect(await wrk.exited).toBe(0);
      // wrk calls request() once before it connects and sends that one nowhere: the first
      // request sent is the one after the offset, then the rotation goes on in order.
      expect(seen.slice(0, 4)).toEqual(["Bearer t3", "Bearer t0", "Bearer t1", "Bearer t2"]);
      const line = output.split("\n").find((l) => l.startsWith("BENCH_JSON ")) ?? "";
      const result = JSON.parse(line.slice("BENCH_JSON ".length)) as LoadResult;
      expect(result.start.others?.[0]).toStartWith(`${process.pid} (`);
      expect(result.start.others?.[1]).toBe("");
      expect(othersTicks(result.start, result.end)).toMatchObject({ counted: 1, missing: 1 });
    } finally {
      server.stop(true);
    }
  });
});

import type { BenchOptions } from "./options";
import {
  type BenchData,
  type Measurement,
  SCENARIO_LABELS,
  type ScenarioName,
  type ServerName,
} from "./results";
import { formatSummary, formatNumber as n, summarize } from "./stats";

/**
 * The report's PostgreSQL section: per scenario, Kanbun on SQLite, on PostgreSQL and as two
 * instances on PostgreSQL side by side, every run and the median with its spread. On PostgreSQL
 * the CPU per request has two parts, Kanbun's processes and the database server's, which does
 * the query work bun:sqlite does inside Kanbun's process; both are shown, and their sum.
 */

const COLUMNS: [ServerName, string][] = [
  ["kanbun", "SQLite"],
  ["postgres", "PostgreSQL"],
  ["postgres-2", "PostgreSQL × 2"],
];

interface Row {
  label: string;
  pick: (m: Measurement, ticksPerSecond: number) => number;
  digits: number;
  /** What a SQLite cell says where the figure does not exist there. */
  onSqlite?: string;
}

const ROWS: Row[] = [
  { label: "req/s", pick: (m) => m.rps, digits: 0 },
  { label: "p99 ms", pick: (m) => m.p99Ms, digits: 2 },
  { label: "CPU µs/req, Kanbun", pick: (m) => m.cpuUsPerRequest, digits: 0 },
  {
    label: "CPU µs/req, PostgreSQL",
    pick: (m) => m.databaseCpuUsPerRequest ?? Number.NaN,
    digits: 0,
    onSqlite: "in Kanbun's",
  },
  { label: "CPU µs/req, summed", pick: totalUsPerRequest, digits: 0 },
  { label: "cores busy, Kanbun", pick: (m) => m.serverCores, digits: 2 },
  {
    label: "cores busy, PostgreSQL",
    pick: databaseCores,
    digits: 2,
    onSqlite: "in Kanbun's",
  },
];

/** Kanbun's CPU per request plus the database server's (nothing more on SQLite). */
export function totalUsPerRequest(m: Measurement): number {
  return m.cpuUsPerRequest + (m.databaseCpuUsPerRequest ?? 0);
}

function databaseCores(m: Measurement, ticksPerSecond: number): number {
  return m.databaseCpuTicks === undefined
    ? Number.NaN
    : m.databaseCpuTicks / ticksPerSecond / m.seconds;
}

export function databasesSection(data: BenchData): string[] {
  const onPostgres = data.measurements.some((m) => m.databaseCpuTicks !== undefined);
  if (!onPostgres) return [];
  const columns = COLUMNS.filter(([server]) => data.measurements.some((m) => m.server === server));
  const scenarios = (Object.keys(SCENARIO_LABELS) as ScenarioName[]).filter((scenario) =>
    data.measurements.some((m) => m.scenario === scenario),
  );
  const lines = [
    "### SQLite, PostgreSQL, and two instances on PostgreSQL sharing the load",
    "",
    "Each run's figures in order, then the median (min–max). CPU per request on PostgreSQL is Kanbun's processes' and the database server's processes' (its backends and its WAL writer, background writer and checkpointer), then their sum; on SQLite the database work is inside Kanbun's figure. With two instances, req/s is the sum of the two wrk processes' and p99 the higher of their two p99s, an upper bound on the p99 of all their requests together.",
  ];
  for (const scenario of scenarios) {
    lines.push(
      "",
      `#### ${SCENARIO_LABELS[scenario]}`,
      "",
      `| figure | ${columns.map(([, label]) => label).join(" | ")} |`,
      `| --- | ${columns.map(() => "---:").join(" | ")} |`,
    );
    const cells = (pick: (rows: Measurement[], row: Row) => string, row: Row) =>
      columns.map(([server]) => {
        const rows = data.measurements
          .filter((m) => m.scenario === scenario && m.server === server)
          .sort((a, b) => a.run - b.run);
        if (row.onSqlite && server === "kanbun") return row.onSqlite;
        return pick(rows, row);
      });
    for (const row of ROWS) {
      const values = (rows: Measurement[]) => rows.map((m) => row.pick(m, data.ticksPerSecond));
      const each = cells(
        (rows) =>
          values(rows)
            .map((v) => n(v, row.digits))
            .join(", "),
        row,
      );
      const median = cells((rows) => formatSummary(summarize(values(rows)), row.digits), row);
      lines.push(`| ${row.label}, each run | ${each.join(" | ")} |`);
      lines.push(`| ${row.label}, median (min–max) | ${median.join(" | ")} |`);
    }
    const errors = cells((rows) => String(rows.reduce((sum, m) => sum + m.errors, 0)), {
      label: "errors",
      pick: () => 0,
      digits: 0,
    });
    lines.push(`| errors, all runs | ${errors.join(" | ")} |`);
  }
  return lines;
}

/** The line printed as each PostgreSQL measurement finishes. */
export function postgresProgressLine(m: Measurement): string {
  return `  run ${m.run} ${m.server.padEnd(10)} ${SCENARIO_LABELS[m.scenario].padEnd(28)} ${n(m.rps, 0).padStart(6)} req/s  p99 ${n(m.p99Ms, 2)} ms  CPU Kanbun ${n(m.cpuUsPerRequest, 0)} + PostgreSQL ${n(m.databaseCpuUsPerRequest ?? Number.NaN, 0)} µs/req (${m.databaseProcesses ?? 0} database processes read, ${m.databaseProcessesMissing ?? 0} at one end only)  errors ${m.errors}`;
}

export function postgresNote(options: Pick<BenchOptions, "connections" | "databases">): string {
  const half = Math.floor(options.connections / 2);
  return `PostgreSQL (${options.databases.filter((name) => name !== "sqlite").join(", ")}): the seeded SQLite file copied once into a fresh database with the binary's \`migrate-to-postgres\`, then ANALYZE; each run and setup works on its own copy of that database (CREATE DATABASE … TEMPLATE), with the same JWT secret, so the seeded tokens and sessions hold. Kanbun with DATABASE_URL and its default pool of DATABASE_POOL_MAX=10 connections per process, no Redis: the rate-limit counters are rows in the database. postgres-2: two Kanbun processes on one database, each driven by its own wrk (${options.connections - half} and ${half} connections, starting at different places in the token list), both started together; the first wrk reads the database server's processes (pg_stat_activity: the backends on the benchmark's database after the warm-up, and the server-wide writers, which write for anyone else on the server too). A backend that comes or goes inside the window (an autovacuum worker) is left out. The SQLite pair runs after the PostgreSQL setups in each run, not interleaved with them`;
}

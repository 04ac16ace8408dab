import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SCENARIO_LABELS, type ScenarioName } from "./results";

export interface BenchOptions {
  runs: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  users: number;
  tasksPerUser: number;
  /** Starts per server and database for the start-up figures. */
  starts: number;
  /** The wrk scenarios, in order. */
  scenarios: ScenarioName[];
  /** Whether to run the realtime scenario (bench/realtime.ts) after them in each run. */
  realtime: boolean;
  /** Card updates per second, and for how long, in the realtime scenario. */
  realtimeRate: number;
  realtimeSeconds: number;
  logLevel: string;
  /** "wrk" or "autocannon"; by default wrk when it is installed. */
  tool?: string;
  skipBuild: boolean;
  profile: boolean;
  /** A second Kanbun binary measured beside the first, for before/after comparisons. */
  baseline?: string;
  binary: string;
  /** Whether the binary is built by the benchmark (not given with --binary). */
  build: boolean;
  /** Where the wrk scenarios run: SQLite (with the reference), PostgreSQL, two instances on it. */
  databases: DatabaseName[];
  /** A running PostgreSQL server for the PostgreSQL columns (any database on it). */
  postgresUrl?: string;
}

export type DatabaseName = "sqlite" | "postgres" | "postgres-2";
const DATABASES: readonly DatabaseName[] = ["sqlite", "postgres", "postgres-2"];

// Not "realtime": it adds about a minute per run and has no reference to compare with.
const DEFAULT_SCENARIOS = "list,search,create,board,move";
/** 1,000 sockets on 100 boards, card updates timed to every member's socket (bench/realtime.ts). */
const REALTIME = "realtime";
const REALTIME_RATE = 100;
const REALTIME_SECONDS = 20;

export const USAGE = `bun run bench [options]
  --runs N              measured runs, Kanbun and the reference interleaved in each (3)
  --duration S          seconds measured per server and scenario (10)
  --warmup S            seconds of load before each measurement (2)
  --connections N       concurrent connections (50)
  --starts N            starts per server and database for the start-up times (5)
  --scenarios a,b       of ${Object.keys(SCENARIO_LABELS).join(", ")}, ${REALTIME} (${DEFAULT_SCENARIOS})
  --realtime-rate N     card updates per second in the realtime scenario (${REALTIME_RATE})
  --realtime-seconds S  seconds of updates in the realtime scenario (${REALTIME_SECONDS})
  --users N, --tasks-per-user N   size of the seeded database (1000 × 100)
  --log-level L         Kanbun's LOG_LEVEL (info)
  --tool wrk|autocannon the load generator (wrk when installed; verdicts only with wrk)
  --binary PATH         measure this Kanbun binary instead of building dist/kanbun
  --baseline PATH       also measure a second Kanbun binary
  --skip-build          use dist/kanbun as it is
  --databases a,b       of ${DATABASES.join(", ")}: Kanbun on SQLite beside the reference, on
                        PostgreSQL, and two instances on PostgreSQL sharing the load (sqlite)
  --postgres-url URL    a running PostgreSQL server to make the benchmark's databases on
                        (TEST_DATABASE_URL; \`bun run db:postgres\` starts one)
  --profile             one run of Kanbun from source under Bun's CPU profiler, no reference`;

const ROOT = resolve(import.meta.dir, "..");

export function parseOptions(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "3" },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "50" },
      users: { type: "string", default: "1000" },
      "tasks-per-user": { type: "string", default: "100" },
      starts: { type: "string", default: "5" },
      scenarios: { type: "string", default: DEFAULT_SCENARIOS },
      "realtime-rate": { type: "string", default: String(REALTIME_RATE) },
      "realtime-seconds": { type: "string", default: String(REALTIME_SECONDS) },
      "log-level": { type: "string", default: "info" },
      tool: { type: "string" },
      "skip-build": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      baseline: { type: "string" },
      binary: { type: "string" },
      databases: { type: "string", default: "sqlite" },
      "postgres-url": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const names = String(values.scenarios).split(",");
  const scenarios = names.filter((name) => name !== REALTIME) as ScenarioName[];
  const unknown = scenarios.filter((name) => !(name in SCENARIO_LABELS));
  if (unknown.length > 0) throw new Error(`Unknown scenarios: ${unknown.join(", ")}\n${USAGE}`);
  const databases = parseDatabases(String(values.databases));
  const postgresUrl = values["postgres-url"] || env.TEST_DATABASE_URL || undefined;
  if (databases.some((name) => name !== "sqlite") && !postgresUrl) {
    throw new Error(
      "--databases names PostgreSQL but no server is given: pass --postgres-url postgres://… or set TEST_DATABASE_URL (`bun run db:postgres` starts one)",
    );
  }
  if (values.profile && databases.some((name) => name !== "sqlite")) {
    throw new Error("--profile runs Kanbun on SQLite only; leave --databases out");
  }
  return {
    runs: positive(values.runs, "runs"),
    durationSeconds: positive(values.duration, "duration"),
    warmupSeconds: Number(values.warmup) || 0,
    connections: positive(values.connections, "connections"),
    users: positive(values.users, "users"),
    tasksPerUser: positive(values["tasks-per-user"], "tasks-per-user"),
    starts: Number(values.starts) || 0,
    scenarios,
    realtime: names.includes(REALTIME),
    realtimeRate: positive(values["realtime-rate"], "realtime-rate"),
    realtimeSeconds: positive(values["realtime-seconds"], "realtime-seconds"),
    logLevel: String(values["log-level"]),
    tool: values.tool,
    skipBuild: Boolean(values["skip-build"]),
    profile: Boolean(values.profile),
    baseline: values.baseline ? resolve(values.baseline) : undefined,
    binary: values.binary ? resolve(values.binary) : join(ROOT, "dist/kanbun"),
    build: !values.binary && !values["skip-build"] && !values.profile,
    databases,
    ...(postgresUrl && databases.some((name) => name !== "sqlite") ? { postgresUrl } : {}),
  };
}

function parseDatabases(raw: string): DatabaseName[] {
  const names = [...new Set(raw.split(",").map((name) => name.trim()))];
  const unknown = names.filter((name) => !DATABASES.includes(name as DatabaseName));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`Unknown databases: ${unknown.join(", ")} (of ${DATABASES.join(", ")})`);
  }
  // Always in the same order, whatever order they were named in.
  return DATABASES.filter((name) => names.includes(name));
}

function positive(raw: string | undefined, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

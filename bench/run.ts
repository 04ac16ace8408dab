import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type LoadSpec, type LoadTarget, loadTool, runLoad } from "./load";
import {
  markdownReport,
  type RunResult,
  SCENARIO_LABELS,
  type ScenarioName,
  type ServerName,
  type ServerRun,
} from "./report";
import { seedDatabase } from "./seed";
import { freePort, startServer } from "./server-process";
import { createRandom, SEARCH_WORDS, sentence, TAGS } from "./words";

/**
 * `bun run bench [--runs 3]`: builds the binary, seeds 1,000 users × 100 tasks, then drives the
 * binary and the reference server (bench/reference-server.ts) through the same scenarios on
 * identical copies of the database, and prints medians, ratios and PASS/FAIL against the targets.
 * `--profile` instead runs Kanbun from source under Bun's CPU profiler (no reference, one run).
 */

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    users: { type: "string", default: "1000" },
    "tasks-per-user": { type: "string", default: "100" },
    "skip-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    scenarios: { type: "string", default: "list,search,search1,create" },
    "log-level": { type: "string", default: "info" },
    baseline: { type: "string" },
    binary: { type: "string" },
  },
});

const ROOT = resolve(import.meta.dir, "..");
const RESULTS = join(import.meta.dir, "results");
const WORK = join(RESULTS, "work");
const LOGS = join(RESULTS, "logs");
const RUNS = Math.max(1, Number(args.runs));
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const KANBUN_BINARY = args.binary ? resolve(args.binary) : join(ROOT, "dist/kanbun");
const SELECTED = String(args.scenarios).split(",");
const ACCESS_TTL_SECONDS = 86_400;
// The limiter stays on; this is the highest value config accepts, far above what one IP sends here.
const RATE_LIMIT_MAX = "1000000";
const JWT_SECRET = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url");

const say = (message: string) => process.stderr.write(`${message}\n`);

async function sh(cmd: string[]): Promise<void> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (${code}):\n${out}${err}`);
}

function scenarios(): Record<ScenarioName, Pick<LoadSpec, "method" | "targets">> {
  const random = createRandom(7);
  const bodies: LoadTarget[] = Array.from({ length: 64 }, (_, i) => ({
    path: "/api/v1/tasks",
    body: JSON.stringify({
      title: sentence(random, 3, 7),
      description: `${sentence(random, 8, 30)}.`,
      priority: i % 5,
      tags: [TAGS[i % TAGS.length], TAGS[(i * 7 + 3) % TAGS.length]],
      due_date: i % 3 === 0 ? null : "2031-06-01T12:00:00Z",
    }),
  }));
  const searchScenario = {
    method: "GET" as const,
    targets: SEARCH_WORDS.map((word) => ({ path: `/api/v1/tasks?q=${word}` })),
  };
  return {
    list: { method: "GET", targets: [{ path: "/api/v1/tasks?limit=20" }] },
    // Not in the default set: the platform's per-request cost without auth or a database.
    health: { method: "GET", targets: [{ path: "/health" }] },
    search: searchScenario,
    search1: searchScenario,
    create: { method: "POST", targets: bodies },
  };
}

/** One server on a fresh copy of the seeded database through every scenario. */
async function measure(
  server: ServerName,
  seedFile: string,
  tokensFile: string,
  run: number,
): Promise<ServerRun> {
  const dbFile = join(WORK, `${server}.db`);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
  copyFileSync(seedFile, dbFile);
  const port = freePort();
  const env = {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_PATH: dbFile,
    JWT_SECRET,
    ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS),
    LOG_LEVEL: String(args["log-level"]),
    RATE_LIMIT_MAX,
  };
  const profileDir = join(RESULTS, "profile");
  const cmd =
    server === "reference"
      ? ["bun", join(import.meta.dir, "reference-server.ts")]
      : args.profile
        ? [
            "bun",
            "--cpu-prof",
            "--cpu-prof-md",
            `--cpu-prof-dir=${profileDir}`,
            join(ROOT, "src/main.ts"),
            "serve",
          ]
        : [server === "baseline" ? resolve(String(args.baseline)) : KANBUN_BINARY, "serve"];
  const proc = await startServer({
    cmd,
    env,
    port,
    logFile: join(LOGS, `${server}-run${run}.log`),
  });
  try {
    const results = {} as Record<ScenarioName, ServerRun["scenarios"][ScenarioName]>;
    for (const [name, scenario] of Object.entries(scenarios()) as [ScenarioName, LoadSpec][]) {
      if (!SELECTED.includes(name)) continue;
      const spec = {
        ...scenario,
        baseUrl: proc.baseUrl,
        tokensFile,
        connections: name === "search1" ? 1 : CONNECTIONS,
        durationSeconds: WARMUP,
      };
      if (WARMUP > 0) await runLoad(spec, WORK);
      const result = await runLoad({ ...spec, durationSeconds: DURATION }, WORK);
      results[name] = result;
      say(
        `  ${server.padEnd(9)} ${SCENARIO_LABELS[name].padEnd(28)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.non2xx + result.socketErrors}`,
      );
    }
    return {
      startMs: proc.startMs,
      rssAfterMb: proc.rssMb(),
      peakRssMb: proc.peakRssMb(),
      scenarios: results,
    };
  } finally {
    await proc.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  mkdirSync(LOGS, { recursive: true });
  if (!args["skip-build"] && !args.profile && !args.binary) {
    say("building dist/kanbun …");
    await sh(["bun", "run", "build"]);
  }
  say("seeding …");
  const seedFile = join(WORK, "seed.db");
  const seeded = await seedDatabase({
    path: seedFile,
    jwtSecret: JWT_SECRET,
    users: Number(args.users),
    tasksPerUser: Number(args["tasks-per-user"]),
    accessTtlSeconds: ACCESS_TTL_SECONDS,
  });
  const tokensFile = join(WORK, "tokens.txt");
  writeFileSync(tokensFile, `${seeded.tokens.join("\n")}\n`);
  say(
    `seeded ${seeded.tokens.length} users, ${seeded.tasks} tasks in ${seeded.seconds.toFixed(1)} s`,
  );

  const runs: RunResult[] = [];
  const servers: ServerName[] = args.profile
    ? ["kanbun"]
    : args.baseline
      ? ["kanbun", "baseline", "reference"]
      : ["kanbun", "reference"];
  for (let run = 1; run <= (args.profile ? 1 : RUNS); run++) {
    say(`run ${run}/${RUNS}`);
    const result = {} as RunResult;
    // The order rotates from run to run, so no server always goes first (or last).
    const order = servers.map((_, i) => servers[(i + run - 1) % servers.length] ?? "kanbun");
    for (const server of order) result[server] = await measure(server, seedFile, tokensFile, run);
    runs.push(result);
  }
  if (args.profile) {
    say(`profile written to ${join(RESULTS, "profile")}`);
    return;
  }

  const notes = [
    `load: ${loadTool()}${loadTool() === "wrk" ? " (1 thread)" : " (separate process)"}, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per scenario; tokens rotate over ${seeded.tokens.length} users' sessions`,
    `data: ${seeded.tokens.length} users × ${Number(args["tasks-per-user"])} tasks = ${seeded.tasks} tasks; search words (matching tasks of all users): ${Object.entries(
      seeded.searchHits,
    )
      .map(([word, hits]) => `${word} ${hits}`)
      .join(", ")}`,
    `Kanbun: ${KANBUN_BINARY}${args.baseline ? ` (baseline: ${args.baseline})` : ""}, NODE_ENV=production, LOG_LEVEL=${args["log-level"]} (access log on, to ${LOGS}), RATE_LIMIT_MAX=${RATE_LIMIT_MAX} per IP per minute (limiter on, but all load comes from one IP)`,
    "ratios are medians of the per-run ratios Kanbun / reference; reference = raw Bun.serve + bun:sqlite, same queries, no logging",
    `machine: ${availableParallelism()} cores, Bun ${Bun.version}; server and load generator share the cores`,
  ];
  const report = markdownReport(runs, notes);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  writeFileSync(join(RESULTS, `bench-${stamp}.json`), JSON.stringify({ notes, runs }, null, 2));
  writeFileSync(join(RESULTS, `bench-${stamp}.md`), report);
  writeFileSync(join(RESULTS, "latest.md"), report);
  process.stdout.write(`\n${report}`);
}

await main();

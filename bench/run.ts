import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { stopAllChildren, stopChildrenOnSignal } from "./children";
import { clockTicksPerSecond } from "./cpu-time";
import { chooseLoadTool, type LoadTool } from "./load";
import { measurePostgresRun, type PostgresSetup } from "./measure-postgres";
import { measureRun } from "./measure-run";
import { type BenchOptions, parseOptions } from "./options";
import { benchDatabaseName, copySeed, createDatabase, databaseUrl, dropDatabase } from "./postgres";
import { measureRealtime } from "./realtime";
import { markdownReport } from "./report";
import { postgresNote } from "./report-databases";
import type {
  BenchData,
  Measurement,
  ProcessFigures,
  RealtimeFigures,
  ServerName,
} from "./results";
import { scenarios } from "./scenarios";
import { createEmptyDatabase, type SeedResult, seedDatabase } from "./seed";
import { BOARD_SHAPE } from "./seed-boards";
import { REALTIME_SHAPE } from "./seed-realtime";
import { RATE_LIMIT_MAX, type ServerSettings } from "./servers";
import { measureStarts } from "./startup";

/**
 * `bun run bench [--runs 3]` (`--help` for the options): builds the binary, seeds 1,000 users ×
 * 100 tasks, then measures Kanbun and the reference server (bench/reference-server.ts) side by
 * side on identical copies of the database: requests per second, latency and each server's own
 * CPU time per request, every run printed with the spread beside the median, then start-up
 * times and the targets. `--profile` runs Kanbun from source under Bun's CPU profiler instead.
 */

const ROOT = resolve(import.meta.dir, "..");
const RESULTS = join(import.meta.dir, "results");
const WORK = join(RESULTS, "work");
const LOGS = join(RESULTS, "logs");
const ACCESS_TTL_SECONDS = 86_400;
// Boards of 10 lists × 50 cards with 5 members each, for the board scenarios.
const BENCH_BOARDS = 20;

const say = (message: string) => process.stderr.write(`${message}\n`);

async function main(options: BenchOptions): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  mkdirSync(LOGS, { recursive: true });
  const { tool, version: toolVersion } = chooseLoadTool(options.tool);
  const ticksPerSecond = clockTicksPerSecond();
  const loadBefore = loadAverage();
  if (options.build) {
    say("building dist/kanbun …");
    const build = Bun.spawnSync(["bun", "run", "build"], { cwd: ROOT, stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed:\n${build.stderr.toString()}`);
  }
  say("seeding …");
  const jwtSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url");
  const seedFile = join(WORK, "seed.db");
  const emptyFile = join(WORK, "empty.db");
  const seeded = await seedDatabase({
    path: seedFile,
    jwtSecret,
    users: options.users,
    tasksPerUser: options.tasksPerUser,
    accessTtlSeconds: ACCESS_TTL_SECONDS,
    boards: BENCH_BOARDS,
    realtime: options.realtime,
  });
  createEmptyDatabase(emptyFile);
  const tokensFile = join(WORK, "tokens.txt");
  writeFileSync(tokensFile, `${seeded.tokens.join("\n")}\n`);
  const boardTokensFile = join(WORK, "board-tokens.txt");
  writeFileSync(boardTokensFile, `${seeded.boardTokens.join("\n")}\n`);
  const boards = { tokensFile: boardTokensFile, users: seeded.boards.users };
  say(
    `seeded ${seeded.tokens.length} users, ${seeded.tasks} tasks in ${seeded.seconds.toFixed(1)} s`,
  );

  const settings: ServerSettings = {
    options,
    jwtSecret,
    accessTtlSeconds: ACCESS_TTL_SECONDS,
    logDir: LOGS,
  };
  const servers: ServerName[] = !options.databases.includes("sqlite")
    ? []
    : options.profile
      ? ["kanbun"]
      : options.baseline
        ? ["kanbun", "baseline", "reference"]
        : ["kanbun", "reference"];
  const setups = options.databases.filter((name): name is PostgresSetup => name !== "sqlite");
  const postgres =
    setups.length > 0 && options.postgresUrl
      ? { serverUrl: options.postgresUrl, template: benchDatabaseName("seed") }
      : undefined;
  if (postgres) {
    // Once per benchmark; each run and setup then works on its own copy of this template.
    await createDatabase(postgres.serverUrl, postgres.template);
    cleanups.push(() => dropDatabase(postgres.serverUrl, postgres.template));
    const seconds = await copySeed(
      options.binary,
      seedFile,
      databaseUrl(postgres.serverUrl, postgres.template),
    );
    say(
      `copied the seeded database to PostgreSQL with migrate-to-postgres in ${seconds.toFixed(1)} s`,
    );
  }
  const runs = options.profile ? 1 : options.runs;
  const measurements: Measurement[] = [];
  const processes: ProcessFigures[] = [];
  const realtime: RealtimeFigures[] = [];
  for (let run = 1; run <= runs; run++) {
    say(`run ${run}/${runs} (${toolVersion})`);
    if (seeded.realtime) {
      realtime.push(
        await measureRealtime(run, {
          settings,
          tool,
          seedFile,
          list: scenarios(options.connections, boards).list,
          tokensFile,
          members: seeded.realtime,
          workDir: WORK,
          say,
        }),
      );
    }
    if (options.scenarios.length === 0) continue;
    if (postgres) {
      measurements.push(
        ...(await measurePostgresRun(run, {
          settings,
          setups,
          scenarios: options.scenarios,
          tool,
          ...postgres,
          tokensFile,
          boards,
          workDir: WORK,
          say,
        })),
      );
    }
    if (servers.length === 0) continue;
    const figures = await measureRun(run, {
      settings,
      servers,
      scenarios: options.scenarios,
      tool,
      seedFile,
      tokensFile,
      boards,
      workDir: WORK,
      say,
    });
    measurements.push(...figures.measurements);
    processes.push(...figures.processes);
  }
  if (options.profile) {
    say(`profile written to ${join(RESULTS, "profile")}`);
    return;
  }
  say(`start-up, ${options.starts} starts per server and database …`);
  const starts =
    servers.length === 0
      ? []
      : await measureStarts({
          settings,
          servers,
          starts: options.starts,
          files: { empty: emptyFile, seeded: seedFile },
          workDir: WORK,
          say,
        });

  const data: BenchData = {
    tool,
    toolVersion,
    runs,
    measurements,
    processes,
    starts,
    ticksPerSecond,
    notes: notes(
      options,
      seeded,
      [...measurements, ...realtime.flatMap((f) => [f.listWith, f.listWithout])],
      ticksPerSecond,
      tool,
      toolVersion,
      loadBefore,
    ),
    ...(realtime.length > 0 ? { realtime } : {}),
  };
  const report = markdownReport(data);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  writeFileSync(join(RESULTS, `bench-${stamp}.json`), JSON.stringify(data, null, 2));
  writeFileSync(join(RESULTS, `bench-${stamp}.md`), report);
  writeFileSync(join(RESULTS, "latest.md"), report);
  process.stdout.write(`\n${report}`);
}

function notes(
  options: BenchOptions,
  seeded: SeedResult,
  measurements: Measurement[],
  ticksPerSecond: number,
  tool: LoadTool,
  toolVersion: string,
  loadBefore: string,
): string[] {
  // A window in which no request completed (search on PostgreSQL, see the report) has no reading.
  const fewestTicks = Math.min(
    ...measurements.filter((m) => m.requests > 0).map((m) => m.cpuTicks),
  );
  const words = Object.entries(seeded.searchHits)
    .map(([word, hits]) => `${word} ${hits}`)
    .join(", ");
  return [
    `load: ${toolVersion}${tool === "wrk" ? ", 1 thread" : " in its own process"}, ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s measured per server and scenario; tokens rotate over ${seeded.tokens.length} users' sessions`,
    `CPU per request: the server process's utime + stime (/proc/<pid>/stat fields 14 and 15, all its threads; the pid is checked to hold the listening socket), read by the load generator at the start and end of its own window, divided by the requests it completed. Resolution 1/${ticksPerSecond} s (CLK_TCK); the smallest window held ${fewestTicks} ticks, so a reading is good to about ${((2 / Math.max(1, fewestTicks)) * 100).toFixed(1)} %`,
    `data: ${seeded.tokens.length} users × ${options.tasksPerUser} tasks = ${seeded.tasks} tasks; search words (tasks matching, all users): ${words}; plus ${BENCH_BOARDS} boards of ${BOARD_SHAPE.lists} lists × ${BOARD_SHAPE.cardsPerList} cards with ${BOARD_SHAPE.members} members each (${seeded.boards.cards} cards), whose ${seeded.boardTokens.length} members are users of their own: the board scenarios rotate over them, each reading their board or moving their card to another list and back`,
    `Kanbun: ${options.binary}${options.baseline ? ` (baseline: ${options.baseline})` : ""}, NODE_ENV=production, LOG_LEVEL=${options.logLevel} (access log to ${LOGS}), RATE_LIMIT_MAX=${RATE_LIMIT_MAX} per IP per minute (the limiter and session checks on; all load comes from one IP)`,
    "reference: raw Bun.serve + bun:sqlite running the same token check, session query, list, search, insert, board and card-move statements (with the realtime event row each change writes), no framework, no logging; ratios are Kanbun / reference within each run, then the median (min–max) of those",
    `start-up: spawn to the first 200 from /health, polled every 2 ms; empty = migrated with no rows, seeded = the ${seeded.tasks}-task database; ${options.starts} start${options.starts === 1 ? "" : "s"} each, servers in turn, page cache warm`,
    ...(options.realtime ? [realtimeNote(options)] : []),
    ...(options.databases.some((name) => name !== "sqlite") ? [postgresNote(options)] : []),
    `machine: ${availableParallelism()} cores, Bun ${Bun.version}; the servers, the load generator and anyone else share the cores (machine cores above, minus the server's, is the load generator plus everyone else); load average ${loadBefore} before, ${loadAverage()} after`,
  ];
}

function realtimeNote(options: BenchOptions): string {
  const { boards, members, lists, cardsPerList } = REALTIME_SHAPE;
  return `realtime (Kanbun alone, its own server on a fresh copy, before the other scenarios of each run): ${boards} boards × ${members} members (${boards * members} users of their own, one session each), ${lists} lists × ${cardsPerList} cards per board; one WebSocket per member opened from a separate Bun process (${"`bench/realtime-load.ts`"}), RSS = the server's VmRSS, median of 5 readings after 5 s settling: on the fresh server, with the first 100 sockets open, and with all of them open and idle after their ready (no GC can be forced from outside, so what the handshakes left for the collector is counted too); per socket is judged after the first 100, which also pay what is paid once; the list scenario (wrk, as above) with the sockets idle; ${options.realtimeRate} PATCH /tasks/{id} title changes a second for ${options.realtimeSeconds} s, open-loop over keep-alive connections, spread round-robin over the boards; latency = arrival of the matching task.updated (task id + version) on a member's socket minus the arrival of the HTTP response, both on the load process's clock (negative when the event came first), over every (update, member socket) pair; the last deliveries waited for up to 3 s after the last response, then 0.2 s more for duplicates; then, the sockets closed, the list scenario without them`;
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** What must be undone however the benchmark ends: the databases it made on PostgreSQL. */
const cleanups: (() => Promise<void>)[] = [];

async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

stopChildrenOnSignal(runCleanups);
try {
  await main(parseOptions(process.argv.slice(2)));
} finally {
  await stopAllChildren();
  await runCleanups();
}

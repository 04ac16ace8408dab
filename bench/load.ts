import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trackChild } from "./children";
import { type ProcSnapshot, readSnapshot } from "./cpu-time";

/**
 * The load generator: wrk (one thread) when it is installed, otherwise autocannon in its own
 * process (`bun bench/load.ts <spec.json>`). Either one reads the server's CPU counters at the
 * start and at the end of its own measuring window and hands them back with its counts.
 */

export type LoadTool = "wrk" | "autocannon";

export interface LoadTarget {
  path: string;
  /** JSON body; its presence makes the request carry Content-Type: application/json. */
  body?: string;
}

export interface LoadSpec {
  tool: LoadTool;
  baseUrl: string;
  /** The server process whose CPU time is read (it must be the server, not a wrapper). */
  serverPid: number;
  method: "GET" | "POST" | "PATCH";
  targets: LoadTarget[];
  tokensFile: string;
  connections: number;
  durationSeconds: number;
  /** Further processes whose CPU time is read over the same window (a database server's). */
  otherPids?: number[];
  /** Where in the token and target lists to start; two generators sharing a load differ here. */
  startAt?: number;
}

export interface LoadResult {
  requests: number;
  /** The generator's own measure of its window. */
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  socketErrors: number;
  start: ProcSnapshot;
  end: ProcSnapshot;
}

const MARKER = "BENCH_JSON ";

/** wrk if it is on PATH (or asked for), else autocannon; with the version that will run. */
export function chooseLoadTool(wanted?: string): { tool: LoadTool; version: string } {
  const tool = wanted === "wrk" || wanted === "autocannon" ? wanted : undefined;
  if (tool !== "autocannon" && Bun.which("wrk")) {
    // `wrk -v` prints "wrk <version> [epoll] Copyright …" before its usage text.
    const banner = Bun.spawnSync(["wrk", "-v"]).stdout.toString().split("\n", 1)[0] ?? "";
    return { tool: "wrk", version: banner.replace(/\s*Copyright.*$/, "") };
  }
  if (tool === "wrk") throw new Error("--tool wrk: wrk is not on PATH (apt-get install wrk)");
  const { version } = require("autocannon/package.json") as { version: string };
  return { tool: "autocannon", version: `autocannon ${version}` };
}

export async function runLoad(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  if (spec.tool === "wrk") return runWrk(spec, workDir);
  const specFile = join(workDir, "load-spec.json");
  writeFileSync(specFile, JSON.stringify(spec));
  const output = await runProcess(["bun", join(import.meta.dir, "load.ts"), specFile]);
  return parseMarker(output) as LoadResult;
}

async function runWrk(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const targetsFile = join(workDir, "wrk-targets.txt");
  writeFileSync(
    targetsFile,
    `${spec.targets.map((target) => `${target.path}\t${target.body ?? ""}`).join("\n")}\n`,
  );
  const output = await runProcess([
    "wrk",
    "-t1",
    `-c${spec.connections}`,
    `-d${spec.durationSeconds}s`,
    "--timeout",
    "10s",
    "-s",
    join(import.meta.dir, "rotate.lua"),
    spec.baseUrl,
    "--",
    spec.tokensFile,
    spec.method,
    targetsFile,
    String(spec.serverPid),
    (spec.otherPids ?? []).join(","),
    String(spec.startAt ?? 0),
  ]);
  const raw = parseMarker(output) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    max_us: number;
    non2xx: number;
    socket_errors: number;
    start: ProcSnapshot;
    end: ProcSnapshot;
  };
  return {
    requests: raw.requests,
    seconds: raw.duration_us / 1e6,
    p50Ms: raw.p50_us / 1000,
    p99Ms: raw.p99_us / 1000,
    maxMs: raw.max_us / 1000,
    non2xx: raw.non2xx,
    socketErrors: raw.socket_errors,
    start: raw.start,
    end: raw.end,
  };
}

async function runProcess(cmd: string[]): Promise<string> {
  const proc = trackChild(Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" }));
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd[0]} exited with ${code}: ${stderr.trim()}`);
  return stdout;
}

function parseMarker(output: string): unknown {
  const line = output.split("\n").find((candidate) => candidate.startsWith(MARKER));
  if (!line) throw new Error(`The load generator printed no result:\n${output}`);
  return JSON.parse(line.slice(MARKER.length));
}

/** Child-process entry: runs autocannon for one spec and prints one result line. */
async function autocannonMain(specFile: string): Promise<void> {
  const { default: autocannon } = await import("autocannon");
  const spec = (await Bun.file(specFile).json()) as LoadSpec;
  const tokens = (await Bun.file(spec.tokensFile).text()).split("\n").filter(Boolean);
  let nextToken = spec.startAt ?? 0;
  let nextTarget = spec.startAt ?? 0;
  const start = readSnapshot(spec.serverPid, spec.otherPids);
  const result = await autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          nextToken = (nextToken + 1) % tokens.length;
          nextTarget = (nextTarget + 1) % spec.targets.length;
          const target = spec.targets[nextTarget] ?? { path: "/" };
          const headers: Record<string, string> = {
            authorization: `Bearer ${tokens[nextToken]}`,
          };
          if (target.body !== undefined) headers["content-type"] = "application/json";
          return { ...request, method: spec.method, path: target.path, headers, body: target.body };
        },
      },
    ],
  });
  const end = readSnapshot(spec.serverPid, spec.otherPids);
  const summary: LoadResult = {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    socketErrors: result.errors + result.timeouts,
    start,
    end,
  };
  process.stdout.write(`${MARKER}${JSON.stringify(summary)}\n`);
}

if (import.meta.main) {
  const specFile = process.argv[2];
  if (!specFile) throw new Error("usage: bun bench/load.ts <spec.json>");
  await autocannonMain(specFile);
}

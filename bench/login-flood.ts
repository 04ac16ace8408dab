import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createTokenService } from "../src/platform/tokens";
import { freePort, startServer } from "./server-process";

/**
 * `bun bench/login-flood.ts [--seconds 10] [--connections 50] [--rebuild]`
 *
 * Does a flood of wrong-password logins starve everyone else? Starts dist/kanbun (rebuilt when
 * src/ is newer) on a temporary database with every throttle off, so each login reaches the
 * argon2id hasher, then floods POST /auth/login from many connections while sequential probes
 * time GET /health and an authenticated GET /api/v1/tasks (with a reused and with new tokens). The flood runs in its own
 * process so its client work does not delay the probes' timers.
 */

const ROOT = resolve(import.meta.dir, "..");
const BINARY = join(ROOT, "dist/kanbun");
const PROBE_INTERVAL_MS = 20;
const TARGET_P99_MS = 100;
const PASSWORD = "flood-bench-password-1";
const JWT_SECRET = "flood-bench-secret-that-is-long-enough-0001";

if (process.argv[2] === "--flood-worker") {
  await floodWorker(process.argv[3] ?? "", Number(process.argv[4]), Number(process.argv[5]));
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    rebuild: { type: "boolean", default: false },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);

if (args.rebuild || isStale()) {
  console.log("building dist/kanbun …");
  const build = Bun.spawnSync(["bun", "run", "build"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw new Error(`build failed:\n${build.stderr.toString()}`);
}

const dir = mkdtempSync(join(tmpdir(), "kanbun-flood-"));
const port = freePort();
const server = await startServer({
  cmd: [BINARY, "serve"],
  port,
  logFile: join(dir, "server.log"),
  env: {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_PATH: join(dir, "kanbun.db"),
    JWT_SECRET,
    LOG_LEVEL: "warn",
    // Every throttle off: the point is to see what reaches the hasher does to everyone else.
    RATE_LIMIT_MAX: "0",
    AUTH_RATE_LIMIT_MAX: "0",
    AUTH_BAN_THRESHOLD: "0",
  },
});

try {
  const token = await signUpAndLogIn(server.baseUrl);
  const freshTokens = await tokenMinter(token);
  const getTasks = (bearer: string) =>
    fetch(`${server.baseUrl}/api/v1/tasks`, { headers: { authorization: `Bearer ${bearer}` } });
  // A steady client reuses its token; a client that has just signed in or refreshed presents a
  // token the server has never checked, which costs a signature verification.
  const probes: Record<string, () => Promise<Response>> = {
    health: () => fetch(`${server.baseUrl}/health`),
    tasks: () => getTasks(token),
    "tasks new token": () => getTasks(freshTokens()),
  };
  const runProbes = (ms: number) =>
    Promise.all(Object.values(probes).map((send) => probe(send, ms)));

  // Warm up first: the first requests pay for JIT and a cold SQLite page cache.
  await runProbes(1000);
  const baseline = await runProbes(2000);
  const flood = Bun.spawn(
    [
      "bun",
      import.meta.path,
      "--flood-worker",
      server.baseUrl,
      String(connections),
      String(seconds),
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  await Bun.sleep(500); // let the queue fill before measuring
  const loaded = await runProbes(seconds * 1000 - 1000);
  const floodResult = JSON.parse(await new Response(flood.stdout).text()) as FloodResult;
  await flood.exited;

  console.log(`\nlogin flood: ${connections} connections × ${seconds} s, throttles off\n`);
  console.log("probe                      requests   p50 ms   p99 ms   max ms");
  const row = (name: string, s: Summary) =>
    console.log(
      `${name.padEnd(26)} ${String(s.count).padStart(8)} ${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.max)}`,
    );
  const names = Object.keys(probes);
  for (const [i, name] of names.entries()) row(`${name} (idle)`, summarize(baseline[i] ?? []));
  const underFlood = names.map((name, i) => {
    const summary = summarize(loaded[i] ?? []);
    row(`${name} (flood)`, summary);
    return summary;
  });
  const login = summarize(floodResult.latencies);
  console.log(
    `\nflood: ${floodResult.latencies.length} logins (${(floodResult.latencies.length / seconds).toFixed(1)}/s), statuses ${JSON.stringify(floodResult.statuses)}, errors ${floodResult.errors}`,
  );
  console.log(`login latency: p50 ${login.p50.toFixed(0)} ms, p99 ${login.p99.toFixed(0)} ms`);
  console.log(`server peak RSS: ${server.peakRssMb().toFixed(0)} MB`);
  const ok = underFlood.every((summary) => summary.p99 <= TARGET_P99_MS);
  console.log(`\n${ok ? "PASS" : "FAIL"}: p99 target ${TARGET_P99_MS} ms for every probe`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

interface FloodResult {
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
}

async function floodWorker(baseUrl: string, connections: number, seconds: number) {
  const deadline = performance.now() + seconds * 1000;
  const result: FloodResult = { latencies: [], statuses: {}, errors: 0 };
  const body = JSON.stringify({ email: "victim@example.com", password: "not-the-password" });
  const loop = async (n: number) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-flood": String(n) },
          body,
        });
        await response.arrayBuffer();
        result.latencies.push(performance.now() - started);
        result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
      } catch {
        result.errors += 1;
        await Bun.sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, n) => loop(n)));
  // Bun.write waits for the pipe to take it all; process.exit right after a bare write can cut it.
  await Bun.write(Bun.stdout, JSON.stringify(result));
}

async function signUpAndLogIn(baseUrl: string): Promise<string> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const email = "victim@example.com";
  const signup = await post("/api/v1/auth/signup", {
    username: "victim",
    email,
    password: PASSWORD,
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const login = await post("/api/v1/auth/login", { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const { access_token: token } = (await login.json()) as { access_token: string };
  for (let i = 0; i < 25; i += 1) {
    const task = await post("/api/v1/tasks", { title: `Task ${i}`, tags: ["bench"] }, token);
    if (task.status !== 201) throw new Error(`task: ${task.status} ${await task.text()}`);
  }
  return token;
}

/**
 * Valid access tokens for the signed-in session that the server has not seen before: signed with
 * the server's secret, each with a different expiry second.
 */
async function tokenMinter(token: string): Promise<() => string> {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
    sub: string;
    sid: number;
  };
  let offset = 0;
  const clock = { now: () => Date.now() - (offset % 800) * 1000 };
  const tokens = await createTokenService(JWT_SECRET, 900, clock);
  const pool: string[] = [];
  for (; offset < 800; offset += 1) {
    pool.push(await tokens.signAccess({ userId: Number(payload.sub), sessionId: payload.sid }));
  }
  let next = 0;
  return () => pool[next++ % pool.length] ?? token;
}

/** Sequential requests, one every PROBE_INTERVAL_MS (or right after a slower one), timed. */
async function probe(send: () => Promise<Response>, durationMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) {
    const started = performance.now();
    const response = await send();
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`probe got ${response.status}`);
    latencies.push(elapsed);
    await Bun.sleep(Math.max(0, PROBE_INTERVAL_MS - elapsed));
  }
  return latencies;
}

interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(8);
}

/** The binary is stale when any source or migration file is newer than it. */
function isStale(): boolean {
  let built: number;
  try {
    built = statSync(BINARY).mtimeMs;
  } catch {
    return true;
  }
  const newest = (folder: string): number =>
    readdirSync(folder, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(folder, entry.name);
      const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
      return Math.max(latest, time);
    }, 0);
  return Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "drizzle"))) > built;
}

/**
 * Runs the compiled binary as an operator would: its own process, a fresh working directory and
 * nothing but the environment variables it is given (no .env file, no drizzle/ folder, no repo).
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const JWT_SECRET = "e2e-secret-that-is-long-enough-for-hs256-0001";
const HEALTH_TIMEOUT_MS = 10_000;

const spawned = new Set<Subprocess>();
const tempDirs = new Set<string>();

/** The binary to test: KANBUN_BINARY when CI has built it already, else a fresh `bun run build`. */
export function ensureBinary(): string {
  const prebuilt = process.env.KANBUN_BINARY;
  if (prebuilt) {
    if (!existsSync(prebuilt)) throw new Error(`KANBUN_BINARY=${prebuilt} does not exist`);
    return prebuilt;
  }
  const build = Bun.spawnSync(["bun", "run", "build"], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) {
    throw new Error(`bun run build failed:\n${build.stdout.toString()}${build.stderr.toString()}`);
  }
  return join(REPO_ROOT, "dist/kanbun");
}

export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanbun-e2e-"));
  tempDirs.add(dir);
  return dir;
}

/** Asks the kernel for a free port, then lets it go; `startServer` retries if someone took it. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

export function serverEnv(dir: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_PATH: join(dir, "kanbun.db"),
    HOST: "127.0.0.1",
    JWT_SECRET,
    ...extra,
  };
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Text on standard input (a pipe); none by default. */
  stdin?: string;
  /** Words before the binary, such as a command that drops privileges. */
  prefix?: string[];
}

/** Runs a one-shot command (`version`, `migrate`, `backup`…) and waits for it. */
export async function runCli(
  binary: string,
  args: string[],
  dir: string,
  env: Record<string, string>,
  { stdin, prefix = [] }: CliOptions = {},
): Promise<CliResult> {
  const proc = track(
    Bun.spawn([...prefix, binary, ...args], {
      cwd: dir,
      env,
      stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  spawned.delete(proc);
  return { exitCode, stdout, stderr };
}

export interface RunningServer {
  pid: number;
  baseUrl: string;
  /** Milliseconds from spawn to the first 200 from /health. */
  startupMs: number;
  /** Everything written to stdout so far (JSON log lines). */
  stdout(): string;
  stderr(): string;
  logMessages(): string[];
  exited: Promise<number>;
  /** Sends SIGTERM and resolves to the exit code. */
  stop(): Promise<number>;
}

/** Spawns `binary serve` on a free port and polls /health until it answers 200. */
export async function startServer(
  binary: string,
  dir: string,
  env: Record<string, string>,
): Promise<RunningServer> {
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = freePort();
    const started = performance.now();
    const proc = track(
      Bun.spawn([binary, "serve"], {
        cwd: dir,
        env: { ...env, PORT: String(port) },
        stdout: "pipe",
        stderr: "pipe",
      }),
    );
    const out = collect(proc.stdout);
    const err = collect(proc.stderr);
    const baseUrl = `http://127.0.0.1:${port}`;
    const server: RunningServer = {
      pid: proc.pid,
      baseUrl,
      startupMs: 0,
      stdout: out.text,
      stderr: err.text,
      logMessages: () => parseMessages(out.text()),
      // Resolves once the process is gone and its output fully read.
      exited: Promise.all([proc.exited, out.done, err.done]).then(([code]) => {
        spawned.delete(proc);
        return code;
      }),
      stop: () => {
        process.kill(proc.pid, "SIGTERM");
        return server.exited;
      },
    };
    let exitedEarly = false;
    void server.exited.then(() => {
      exitedEarly = true;
    });
    while (!exitedEarly && performance.now() - started < HEALTH_TIMEOUT_MS) {
      if (await healthy(baseUrl)) {
        server.startupMs = performance.now() - started;
        return server;
      }
      await Bun.sleep(5);
    }
    if (!exitedEarly) kill(proc);
    await proc.exited;
    lastError = `exit ${proc.exitCode ?? proc.signalCode}\nstdout: ${out.text()}\nstderr: ${err.text()}`;
    // Only a lost race for the port is worth another try.
    if (!/EADDRINUSE|address.*in use/i.test(lastError)) break;
  }
  throw new Error(`kanbun did not become healthy:\n${lastError}`);
}

/** Kills every process still running and removes the temporary directories. */
export function cleanUp(): void {
  for (const proc of spawned) kill(proc);
  spawned.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function track<T extends Subprocess>(proc: T): T {
  spawned.add(proc);
  return proc;
}

function kill(proc: Subprocess): void {
  try {
    process.kill(proc.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Drains a pipe in the background so the child never blocks on a full buffer. */
function collect(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

function parseMessages(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
}

import { readFileSync, writeFileSync } from "node:fs";
import { stopChild, trackChild } from "./children";
import { assertListensOn } from "./server-socket";

/** A server under test: a child process whose logs go to a file, stopped by its own pid. */
export interface ServerProcess {
  /** The server process itself (checked: it holds the listening socket). */
  pid: number;
  baseUrl: string;
  /** From spawn to the first 200 from /health. */
  startMs: number;
  rssMb(): number;
  rssKb(): number;
  peakRssMb(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  cmd: string[];
  env: Record<string, string>;
  port: number;
  logFile: string;
  timeoutMs?: number;
}

const POLL_INTERVAL_MS = 2;

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  // Bun writes a child's output into a Bun.file from offset 0 without truncating it first. Stderr
  // goes to a file of its own rather than a pipe nobody drains, which would block the server.
  const errorFile = `${options.logFile}.stderr`;
  writeFileSync(options.logFile, "");
  writeFileSync(errorFile, "");
  const started = performance.now();
  const proc = trackChild(
    Bun.spawn(options.cmd, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
      stdout: Bun.file(options.logFile),
      stderr: Bun.file(errorFile),
    }),
  );
  const deadline = started + (options.timeoutMs ?? 15_000);
  let startMs = Number.NaN;
  while (performance.now() < deadline && proc.exitCode === null) {
    try {
      const response = await fetch(`${baseUrl}/health`);
      await response.arrayBuffer();
      if (response.status === 200) {
        startMs = performance.now() - started;
        break;
      }
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(POLL_INTERVAL_MS);
  }
  try {
    if (Number.isNaN(startMs)) {
      const stderr = readFileSync(errorFile, "utf8").trim();
      throw new Error(`${options.cmd.join(" ")} did not answer /health: ${stderr}`);
    }
    assertListensOn(proc.pid, options.port);
  } catch (error) {
    await stopChild(proc);
    throw error;
  }
  return {
    pid: proc.pid,
    baseUrl,
    startMs,
    rssMb: () => statusKb(proc.pid, "VmRSS") / 1024,
    rssKb: () => statusKb(proc.pid, "VmRSS"),
    peakRssMb: () => statusKb(proc.pid, "VmHWM") / 1024,
    stop: () => stopChild(proc),
  };
}

function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port ?? 0;
  probe.stop(true);
  return port;
}

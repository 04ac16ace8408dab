import { readFileSync, writeFileSync } from "node:fs";
import type { Subprocess } from "bun";

/** A server under test: a child process whose logs go to a file, stopped by its own pid. */
export interface ServerProcess {
  pid: number;
  baseUrl: string;
  /** From spawn to the first 200 from /health. */
  startMs: number;
  rssMb(): number;
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

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  // Bun writes a child's stdout into a Bun.file from offset 0 without truncating it first.
  writeFileSync(options.logFile, "");
  const started = performance.now();
  const proc = Bun.spawn(options.cmd, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    stdout: Bun.file(options.logFile),
    stderr: "pipe",
  });
  const deadline = started + (options.timeoutMs ?? 15_000);
  let startMs = Number.NaN;
  while (performance.now() < deadline) {
    if (proc.exitCode !== null) break;
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
    await Bun.sleep(2);
  }
  if (Number.isNaN(startMs)) {
    const stderr = proc.exitCode === null ? "" : await new Response(proc.stderr).text();
    await stopProcess(proc);
    throw new Error(`${options.cmd.join(" ")} did not answer /health: ${stderr.trim()}`);
  }
  return {
    pid: proc.pid,
    baseUrl,
    startMs,
    rssMb: () => statusKb(proc.pid, "VmRSS") / 1024,
    peakRssMb: () => statusKb(proc.pid, "VmHWM") / 1024,
    stop: () => stopProcess(proc),
  };
}

function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** SIGTERM, then SIGKILL if the process has not gone within five seconds. */
async function stopProcess(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const exited = await Promise.race([
    proc.exited.then(() => true),
    Bun.sleep(5000).then(() => false),
  ]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port ?? 0;
  probe.stop(true);
  return port;
}

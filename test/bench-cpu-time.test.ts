import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import {
  clockTicksPerSecond,
  machineTicks,
  type ProcSnapshot,
  processTicks,
  readSnapshot,
  windowCpu,
} from "../bench/cpu-time";
import { toMeasurement } from "../bench/results";
import { assertListensOn } from "../bench/server-socket";

// The benchmark's CPU figures are only as good as these readings: the right fields of the right
// process, in the right unit. These tests hold them against what a real process reports itself.

/** A /proc/<pid>/stat line (proc(5)) with utime (field 14) and stime (field 15) as given. */
function statLine(comm: string, utime: number, stime: number): string {
  const afterComm = ["S", 1, 1, 1, 0, -1, 4194304, 755, 0, 0, 0, utime, stime, 7, 9, 20, 0, 2];
  return `4242 (${comm}) ${afterComm.join(" ")} 0 146046 6570110976 3930`;
}

const children: Subprocess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill();
    await child.exited;
  }
});

/** A child that spends CPU or sleeps on request and answers with its own getrusage figure. */
function startBurner() {
  const script = `
    const own = () => { const u = process.cpuUsage(); return u.user + u.system; };
    for await (const line of console) {
      const [command, ms] = line.split(" ");
      const before = own();
      if (command === "burn") while (own() - before < Number(ms) * 1000) {}
      else await Bun.sleep(Number(ms));
      console.log(own() - before);
    }`;
  const child = Bun.spawn(["bun", "-e", script], { stdin: "pipe", stdout: "pipe" });
  children.push(child);
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  /** Server-style sampling around one request: ticks read from /proc, µs the child reports. */
  return async (command: string) => {
    const start = readSnapshot(child.pid);
    child.stdin.write(`${command}\n`);
    child.stdin.flush();
    const { value } = await lines.read();
    const end = readSnapshot(child.pid);
    return { ticks: processTicks(end.process) - processTicks(start.process), ownUs: Number(value) };
  };
}

describe("reading CPU time from /proc", () => {
  test("utime + stime are fields 14 and 15, counted after a command name with ) and spaces", () => {
    expect(processTicks(statLine("kanbun", 120, 35))).toBe(155);
    expect(processTicks(statLine("a) (b c) 9 9", 7, 3))).toBe(10);
  });

  test("a line that is not a stat line is refused, not read as zero", () => {
    expect(() => processTicks("no parentheses 1 2 3")).toThrow("Not a /proc/<pid>/stat line");
    expect(() => processTicks("42 (bun) S 1 2")).toThrow("Not a /proc/<pid>/stat line");
  });

  test("the machine's busy time leaves out idle and iowait; steal is counted apart", () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(machineTicks("cpu  100 5 40 900 20 1 4 30 0 0")).toEqual({
      busy: 150,
      steal: 30,
      total: 1100,
    });
    expect(() => machineTicks("cpu0 1 2 3 4 5 6 7 8")).toThrow("Not the cpu line");
    expect(() => machineTicks("cpu 1 2 3")).toThrow("Not the cpu line");
  });

  test("a window's figures: CPU per request, the server's cores, the machine's, steal", () => {
    const start: ProcSnapshot = {
      process: statLine("bun", 1000, 200),
      machine: "cpu  5000 0 1000 90000 0 0 0 100 0 0",
    };
    const end: ProcSnapshot = {
      process: statLine("bun", 1800, 400), // 1,000 ticks = 10 s of CPU at 100 a second
      machine: "cpu  6500 0 1600 90400 0 0 0 200 0 0", // 2,100 busy of 2,600 ticks
    };
    const cpu = windowCpu(start, end, 50_000, 10, 100);
    expect(cpu.ticks).toBe(1000);
    expect(cpu.usPerRequest).toBeCloseTo(200, 6); // 10 s / 50,000 requests
    expect(cpu.serverCores).toBeCloseTo(1, 6);
    expect(cpu.machineCores).toBeCloseTo(2.1, 6);
    expect(cpu.stealShare).toBeCloseTo(100 / 2600, 6);
    expect(windowCpu(start, end, 0, 10, 100).usPerRequest).toBeNaN();
  });

  test("a load result becomes a measurement: CPU per completed request, both kinds of error", () => {
    const measurement = toMeasurement(
      { run: 2, scenario: "create", server: "kanbun", position: 1 },
      {
        requests: 24_000,
        seconds: 8,
        p50Ms: 4,
        p99Ms: 12,
        maxMs: 40,
        non2xx: 3,
        socketErrors: 2,
        start: { process: statLine("kanbun", 50, 10), machine: "cpu  0 0 0 0 0 0 0 0" },
        end: { process: statLine("kanbun", 650, 130), machine: "cpu  1200 0 400 0 0 0 0 0" },
      },
      100,
    );
    expect(measurement).toMatchObject({
      run: 2,
      scenario: "create",
      server: "kanbun",
      position: 1,
    });
    expect(measurement).toMatchObject({ requests: 24_000, rps: 3000, errors: 5, cpuTicks: 720 });
    expect(measurement.cpuUsPerRequest).toBeCloseTo(300, 6); // 7.2 s of CPU / 24,000 requests
    expect(measurement.serverCores).toBeCloseTo(0.9, 6);
    expect(measurement.machineCores).toBeCloseTo(2, 6);
  });

  test("the ticks read for a live process match the CPU time it reports itself", async () => {
    const hz = clockTicksPerSecond();
    expect(hz).toBeGreaterThanOrEqual(100);
    const ask = startBurner();
    for (const ms of [300, 150]) {
      const { ticks, ownUs } = await ask(`burn ${ms}`);
      expect(ownUs).toBeGreaterThanOrEqual(ms * 1000);
      // Two readings, each rounded down to a tick, plus a little for the runtime's own threads.
      expect(Math.abs(ticks / hz - ownUs / 1e6)).toBeLessThanOrEqual(3 / hz);
    }
    // Wall time is not CPU time: a sleeping process gains (almost) no ticks.
    const asleep = await ask("sleep 300");
    expect(asleep.ticks).toBeLessThanOrEqual(2);
  });
});

describe("the sampled pid is the server itself", () => {
  test("the process holding the listening socket passes; any other pid is refused", async () => {
    const child = Bun.spawn(
      [
        "bun",
        "-e",
        "const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() }); console.log(s.port);",
      ],
      { stdout: "pipe" },
    );
    children.push(child);
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const port = Number((await reader.read()).value);
    expect(port).toBeGreaterThan(0);

    expect(() => assertListensOn(child.pid, port)).not.toThrow();
    // This test process started the server but does not hold its socket, as a wrapper would not.
    expect(() => assertListensOn(process.pid, port)).toThrow(
      `Process ${process.pid} (bun) does not hold the socket on port ${port}`,
    );
  });

  test("a port nobody listens on is refused", () => {
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = probe.port ?? 0;
    probe.stop(true);
    expect(() => assertListensOn(process.pid, port)).toThrow(`Nothing listens on TCP port ${port}`);
  });
});

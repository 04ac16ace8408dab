import { readFileSync } from "node:fs";

/**
 * CPU time as the kernel accounts it, read from /proc: a server's user + system time over a
 * window (fields 14 and 15 of /proc/<pid>/stat, summed over all its threads, including threads
 * that ended inside the window), and the machine's busy and stolen time from /proc/stat. Unlike
 * requests per second, CPU time per request is not inflated by the hypervisor's steal or by other
 * processes queueing for the cores. Both files count in clock ticks (`getconf CLK_TCK`, 100 a
 * second here), so a window needs hundreds of ticks before a tick or two stops mattering.
 */

/** What the load generator reads at the start and at the end of its window. */
export interface ProcSnapshot {
  /** The server's /proc/<pid>/stat line. */
  process: string;
  /** The aggregate "cpu" line of /proc/stat. */
  machine: string;
  /** Further processes' stat lines (a database server's), in the order asked; "" once gone. */
  others?: string[];
}

/** CPU time of the further processes over a window, and how many could not be read at one end. */
export interface OthersTicks {
  ticks: number;
  counted: number;
  missing: number;
}

export interface MachineTicks {
  /** user + nice + system + irq + softirq, all cores together. */
  busy: number;
  steal: number;
  /** Everything: busy, idle, iowait and steal. */
  total: number;
}

/** A window's CPU figures for one server. */
export interface WindowCpu {
  /** The server's utime + stime over the window, in ticks. */
  ticks: number;
  /** Server CPU time per completed request, in microseconds. */
  usPerRequest: number;
  /** Cores the server kept busy on average over the window. */
  serverCores: number;
  /** Cores busy machine-wide: the server, the load generator and everyone else. */
  machineCores: number;
  /** Share of all the machine's time that the hypervisor gave to other guests. */
  stealShare: number;
}

export function readSnapshot(pid: number, others: readonly number[] = []): ProcSnapshot {
  return {
    process: readFileSync(`/proc/${pid}/stat`, "utf8").trim(),
    machine: readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "",
    ...(others.length > 0 ? { others: others.map(statOrEmpty) } : {}),
  };
}

function statOrEmpty(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * utime + stime of the further processes over a window, summed. A process that ended (or began)
 * inside the window is read at one end only: its time is left out and counted as missing.
 */
export function othersTicks(start: ProcSnapshot, end: ProcSnapshot): OthersTicks {
  const before = start.others ?? [];
  const after = end.others ?? [];
  if (before.length !== after.length) {
    throw new Error(`${before.length} processes read at the start, ${after.length} at the end`);
  }
  let ticks = 0;
  let counted = 0;
  for (const [index, first] of before.entries()) {
    const last = after[index] ?? "";
    if (first === "" || last === "" || pidOf(first) !== pidOf(last)) continue;
    ticks += processTicks(last) - processTicks(first);
    counted++;
  }
  return { ticks, counted, missing: before.length - counted };
}

function pidOf(stat: string): string {
  return stat.slice(0, stat.indexOf(" "));
}

/** utime + stime of a /proc/<pid>/stat line, in ticks. */
export function processTicks(stat: string): number {
  // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses:
  // the fields are counted from the last ")". The text after it starts with field 3.
  const close = stat.lastIndexOf(")");
  const fields =
    close < 0
      ? []
      : stat
          .slice(close + 1)
          .trim()
          .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isSafeInteger(utime) || !Number.isSafeInteger(stime)) {
    throw new Error(`Not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  }
  return utime + stime;
}

export function machineTicks(line: string): MachineTicks {
  const [label, ...values] = line.trim().split(/\s+/);
  const numbers = values.map(Number);
  if (label !== "cpu" || numbers.length < 8 || !numbers.every(Number.isSafeInteger)) {
    throw new Error(`Not the cpu line of /proc/stat: ${line.slice(0, 80)}`);
  }
  // proc(5): user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is
  // already counted in user and nice.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    numbers;
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal };
}

export function windowCpu(
  start: ProcSnapshot,
  end: ProcSnapshot,
  requests: number,
  seconds: number,
  ticksPerSecond: number,
): WindowCpu {
  const ticks = processTicks(end.process) - processTicks(start.process);
  const machineStart = machineTicks(start.machine);
  const machineEnd = machineTicks(end.machine);
  const total = machineEnd.total - machineStart.total;
  const cpuSeconds = ticks / ticksPerSecond;
  return {
    ticks,
    usPerRequest: requests > 0 ? (cpuSeconds * 1e6) / requests : Number.NaN,
    serverCores: cpuSeconds / seconds,
    machineCores: (machineEnd.busy - machineStart.busy) / ticksPerSecond / seconds,
    stealShare: total > 0 ? (machineEnd.steal - machineStart.steal) / total : 0,
  };
}

let ticksPerSecond: number | undefined;

/** The kernel's USER_HZ, the unit of both files (sysconf(_SC_CLK_TCK), asked of getconf). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const result = Bun.spawnSync(["getconf", "CLK_TCK"], { stdout: "pipe", stderr: "pipe" });
    const value = Number(result.stdout.toString().trim());
    if (result.exitCode !== 0 || !Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`getconf CLK_TCK failed: ${result.stderr.toString().trim()}`);
    }
    ticksPerSecond = value;
  }
  return ticksPerSecond;
}

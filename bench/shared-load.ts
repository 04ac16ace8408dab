import { othersTicks, windowCpu } from "./cpu-time";
import type { LoadResult } from "./load";
import type { Measurement } from "./results";

/**
 * One load shared by several Kanbun processes: the connections split between one load generator
 * per process, started and stopped together, and their figures put back together as one
 * measurement. The first generator also reads the database server's processes.
 */

/** `total` connections over `parts` generators, as evenly as whole connections allow. */
export function splitConnections(total: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`Cannot split a load ${parts} ways`);
  if (total < parts) throw new Error(`${total} connections cannot be split ${parts} ways`);
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** Where each generator starts in a list of `length` tokens: spread evenly, so none run in step. */
export function startOffsets(length: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor((length * i) / parts));
}

/**
 * The generators' results as one measurement: requests and errors summed, req/s the sum of each
 * generator's own rate, p99 the highest generator's p99 (the merged distribution's p99 cannot be
 * above it, and wrk gives no more than percentiles to merge with), p50 the request-weighted mean.
 * Kanbun's CPU is the sum over its processes, each read by its own generator; the database's is
 * read by the first generator.
 */
export function combineLoads(
  where: Pick<Measurement, "run" | "scenario" | "server" | "position">,
  loads: readonly LoadResult[],
  ticksPerSecond: number,
): Measurement {
  const [first] = loads;
  if (!first) throw new Error("No load results to combine");
  const requests = sum(loads.map((load) => load.requests));
  const windows = loads.map((load) =>
    windowCpu(load.start, load.end, load.requests, load.seconds, ticksPerSecond),
  );
  const kanbunTicks = sum(windows.map((cpu) => cpu.ticks));
  const database = othersTicks(first.start, first.end);
  const perRequest = (ticks: number) =>
    requests > 0 ? ((ticks / ticksPerSecond) * 1e6) / requests : Number.NaN;
  const firstWindow = windows[0] ?? windowCpu(first.start, first.end, 0, 1, ticksPerSecond);
  return {
    ...where,
    requests,
    seconds: sum(loads.map((load) => load.seconds)) / loads.length,
    rps: sum(loads.map((load) => load.requests / load.seconds)),
    p50Ms:
      requests > 0 ? sum(loads.map((load) => load.p50Ms * load.requests)) / requests : Number.NaN,
    // wrk reports 0 for the percentiles of no requests at all.
    p99Ms: requests > 0 ? Math.max(...loads.map((load) => load.p99Ms)) : Number.NaN,
    errors: sum(loads.map((load) => load.non2xx + load.socketErrors)),
    cpuTicks: kanbunTicks,
    cpuUsPerRequest: perRequest(kanbunTicks),
    serverCores: sum(windows.map((cpu) => cpu.serverCores)),
    machineCores: firstWindow.machineCores,
    stealShare: firstWindow.stealShare,
    instances: loads.length,
    databaseCpuTicks: database.ticks,
    databaseCpuUsPerRequest: perRequest(database.ticks),
    databaseProcesses: database.counted,
    databaseProcessesMissing: database.missing,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

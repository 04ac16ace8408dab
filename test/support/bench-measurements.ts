import type { Measurement, ScenarioName, ServerName } from "../../bench/results";

/**
 * One server's figures for one scenario in one run, as the benchmark records them: plausible
 * defaults, the reference measured second, and `figures` for what a test is about.
 */
export function measurement(
  run: number,
  server: ServerName,
  scenario: ScenarioName,
  figures: Partial<Measurement> = {},
): Measurement {
  return {
    run,
    server,
    scenario,
    position: server === "reference" ? 2 : 1,
    requests: 50_000,
    seconds: 10,
    rps: 5000,
    p50Ms: 5,
    p99Ms: 10,
    errors: 0,
    cpuTicks: 1000,
    cpuUsPerRequest: 200,
    serverCores: 1,
    machineCores: 1.5,
    stealShare: 0,
    ...figures,
  };
}

import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type LoadTool, runLoad } from "./load";
import { progressLine } from "./report";
import {
  type Measurement,
  type ProcessFigures,
  type ScenarioName,
  type ServerName,
  toMeasurement,
} from "./results";
import { type BoardFixture, scenarios } from "./scenarios";
import type { ServerProcess } from "./server-process";
import { launchServer, type ServerSettings } from "./servers";

/**
 * One measured run: every server starts on its own fresh copy of the seeded database, then the
 * servers take turns scenario by scenario, so a disturbance on the shared machine lands on both
 * sides of a comparison instead of on one server's whole run. Who goes first alternates from
 * scenario to scenario and from run to run.
 */

export interface RunContext {
  settings: ServerSettings;
  servers: ServerName[];
  scenarios: ScenarioName[];
  tool: LoadTool;
  seedFile: string;
  tokensFile: string;
  boards: BoardFixture;
  workDir: string;
  say: (line: string) => void;
}

export interface RunFigures {
  measurements: Measurement[];
  processes: ProcessFigures[];
}

/** The list turned left by `shift` places: each server leads once in every round. */
export function inTurn<T>(items: readonly T[], shift: number): T[] {
  const k = ((shift % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function measureRun(run: number, context: RunContext): Promise<RunFigures> {
  const { options } = context.settings;
  const running = new Map<ServerName, ServerProcess>();
  try {
    for (const server of context.servers) {
      const dbFile = join(context.workDir, `${server}.db`);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
      copyFileSync(context.seedFile, dbFile);
      running.set(
        server,
        await launchServer(server, dbFile, `${server}-run${run}`, context.settings),
      );
    }
    const all = scenarios(options.connections, context.boards);
    const measurements: Measurement[] = [];
    for (const [index, scenario] of context.scenarios.entries()) {
      for (const [position, server] of inTurn(context.servers, run - 1 + index).entries()) {
        const proc = running.get(server);
        if (!proc) throw new Error(`${server} is not running`);
        const { tokensFile, ...requests } = all[scenario];
        const spec = {
          ...requests,
          tool: context.tool,
          baseUrl: proc.baseUrl,
          serverPid: proc.pid,
          tokensFile: tokensFile ?? context.tokensFile,
          durationSeconds: options.warmupSeconds,
        };
        if (options.warmupSeconds > 0) await runLoad(spec, context.workDir);
        const load = await runLoad(
          { ...spec, durationSeconds: options.durationSeconds },
          context.workDir,
        );
        const measurement = toMeasurement({ run, scenario, server, position: position + 1 }, load);
        context.say(progressLine(measurement));
        measurements.push(measurement);
      }
    }
    const processes = [...running].map(([server, proc]) => ({
      run,
      server,
      rssAfterMb: proc.rssMb(),
      peakRssMb: proc.peakRssMb(),
    }));
    return { measurements, processes };
  } finally {
    await Promise.all([...running.values()].map((proc) => proc.stop()));
  }
}

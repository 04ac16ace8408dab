import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { clockTicksPerSecond } from "./cpu-time";
import { type LoadSpec, type LoadTool, runLoad } from "./load";
import { inTurn } from "./measure-run";
import { createDatabase, databaseUrl, dropDatabase, serverPids, waitForQuiet } from "./postgres";
import { postgresProgressLine } from "./report-databases";
import type { Measurement, ScenarioName } from "./results";
import { type BoardFixture, scenarios } from "./scenarios";
import type { ServerProcess } from "./server-process";
import { launchServer, type ServerSettings } from "./servers";
import { combineLoads, splitConnections, startOffsets } from "./shared-load";

/**
 * One run of Kanbun on PostgreSQL: for each setup (one instance, or two sharing the load) a fresh
 * copy of the seeded database, made from the template, and the same scenarios as on SQLite.
 * With two instances the connections are split between two wrk processes, one per instance,
 * started together and run for the same time.
 */

export type PostgresSetup = "postgres" | "postgres-2";

export const INSTANCES: Record<PostgresSetup, number> = { postgres: 1, "postgres-2": 2 };

export interface PostgresRunContext {
  settings: ServerSettings;
  setups: PostgresSetup[];
  scenarios: ScenarioName[];
  tool: LoadTool;
  /** The server (any database on it) and the seeded template database's name. */
  serverUrl: string;
  template: string;
  tokensFile: string;
  boards: BoardFixture;
  workDir: string;
  say: (line: string) => void;
}

export async function measurePostgresRun(
  run: number,
  context: PostgresRunContext,
): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const setup of inTurn(context.setups, run - 1)) {
    measurements.push(...(await measureSetup(run, setup, context)));
  }
  return measurements;
}

async function measureSetup(
  run: number,
  setup: PostgresSetup,
  context: PostgresRunContext,
): Promise<Measurement[]> {
  const { options } = context.settings;
  const name = `${context.template}_run${run}_${INSTANCES[setup]}`;
  await createDatabase(context.serverUrl, name, context.template);
  const instances: ServerProcess[] = [];
  try {
    for (let i = 1; i <= INSTANCES[setup]; i++) {
      instances.push(
        await launchServer(
          "kanbun",
          join(context.workDir, "unused.db"),
          `${setup}-${i}-run${run}`,
          context.settings,
          { DATABASE_URL: databaseUrl(context.serverUrl, name) },
        ),
      );
    }
    const all = scenarios(options.connections, context.boards);
    const measurements: Measurement[] = [];
    for (const scenario of context.scenarios) {
      const { tokensFile, ...requests } = all[scenario];
      const base = {
        ...requests,
        tool: context.tool,
        tokensFile: tokensFile ?? context.tokensFile,
      };
      const waited = await waitForQuiet(context.serverUrl, name);
      if (waited > 1) context.say(`  (waited ${waited.toFixed(1)} s for PostgreSQL to go quiet)`);
      if (options.warmupSeconds > 0) {
        await sharedLoad(base, instances, [], options.warmupSeconds, context.workDir);
      }
      // After the warm-up, when Kanbun's pools have opened their connections.
      const pids = await serverPids(context.serverUrl, name);
      const loads = await sharedLoad(
        base,
        instances,
        pids,
        options.durationSeconds,
        context.workDir,
      );
      const measurement = combineLoads(
        { run, scenario, server: setup, position: 1 },
        loads,
        clockTicksPerSecond(),
      );
      context.say(postgresProgressLine(measurement));
      measurements.push(measurement);
    }
    return measurements;
  } finally {
    await Promise.all(instances.map((proc) => proc.stop()));
    await dropDatabase(context.serverUrl, name);
  }
}

/** One generator per instance, the connections split between them, all started together. */
async function sharedLoad(
  base: Omit<LoadSpec, "baseUrl" | "serverPid" | "durationSeconds">,
  instances: ServerProcess[],
  databasePids: number[],
  durationSeconds: number,
  workDir: string,
) {
  const connections = splitConnections(base.connections, instances.length);
  const tokens = (await Bun.file(base.tokensFile).text()).split("\n").filter(Boolean).length;
  const offsets = startOffsets(tokens, instances.length);
  return Promise.all(
    instances.map((proc, i) => {
      // Each generator writes its targets file into a directory of its own.
      const dir = join(workDir, `load-${i + 1}`);
      mkdirSync(dir, { recursive: true });
      return runLoad(
        {
          ...base,
          baseUrl: proc.baseUrl,
          serverPid: proc.pid,
          connections: connections[i] ?? 1,
          durationSeconds,
          startAt: offsets[i] ?? 0,
          ...(i === 0 ? { otherPids: databasePids } : {}),
        },
        dir,
      );
    }),
  );
}

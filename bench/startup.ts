import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { inTurn } from "./measure-run";
import type { ServerName, StartDatabase, StartSample } from "./results";
import { launchServer, type ServerSettings } from "./servers";

/**
 * Start-up: from spawn to the first 200 from /health, several times per server, on a migrated
 * empty database and on the seeded one, servers taking turns. Each server has its own copy of
 * each database, kept between its starts (so the page cache is warm, as on a restart).
 */

export interface StartContext {
  settings: ServerSettings;
  servers: ServerName[];
  starts: number;
  files: Record<StartDatabase, string>;
  workDir: string;
  say: (line: string) => void;
}

export async function measureStarts(context: StartContext): Promise<StartSample[]> {
  const copies = new Map<string, string>();
  for (const server of context.servers) {
    for (const [database, source] of Object.entries(context.files)) {
      const copy = join(context.workDir, `start-${server}-${database}.db`);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
      copyFileSync(source, copy);
      copies.set(`${server}/${database}`, copy);
    }
  }
  const samples: StartSample[] = [];
  for (let attempt = 1; attempt <= context.starts; attempt++) {
    // Which database and which server come first alternates too.
    for (const database of inTurn(Object.keys(context.files) as StartDatabase[], attempt - 1)) {
      for (const server of inTurn(context.servers, attempt - 1)) {
        const file = copies.get(`${server}/${database}`) ?? "";
        const proc = await launchServer(server, file, `${server}-start`, context.settings);
        await proc.stop();
        samples.push({ server, database, attempt, ms: proc.startMs });
      }
    }
  }
  const line = (server: ServerName, database: StartDatabase) =>
    samples
      .filter((s) => s.server === server && s.database === database)
      .map((s) => s.ms.toFixed(0))
      .join(", ");
  for (const server of context.servers) {
    context.say(
      `  ${server.padEnd(9)} start ms, empty: ${line(server, "empty")}; seeded: ${line(server, "seeded")}`,
    );
  }
  return samples;
}

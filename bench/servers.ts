import { join, resolve } from "node:path";
import type { BenchOptions } from "./options";
import type { ServerName } from "./results";
import { freePort, type ServerProcess, startServer } from "./server-process";

/** How each server under test is started: the same settings and secret for all of them. */

export interface ServerSettings {
  options: BenchOptions;
  jwtSecret: string;
  accessTtlSeconds: number;
  logDir: string;
}

// The limiter stays on; this is the highest value config accepts, far above what one IP sends here.
export const RATE_LIMIT_MAX = "1000000";
const ROOT = resolve(import.meta.dir, "..");

export function launchServer(
  server: ServerName,
  databasePath: string,
  logName: string,
  settings: ServerSettings,
  /** More of the server's environment: DATABASE_URL for Kanbun on PostgreSQL. */
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = freePort();
  return startServer({
    cmd: command(server, settings.options),
    port,
    logFile: join(settings.logDir, `${logName}.log`),
    env: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_PATH: databasePath,
      JWT_SECRET: settings.jwtSecret,
      ACCESS_TOKEN_TTL: String(settings.accessTtlSeconds),
      LOG_LEVEL: settings.options.logLevel,
      RATE_LIMIT_MAX,
      ...env,
    },
  });
}

/** The server process is the command itself, never a shell around it: its pid is sampled. */
function command(server: ServerName, options: BenchOptions): string[] {
  if (server === "reference") return ["bun", join(import.meta.dir, "reference-server.ts")];
  if (server === "baseline") return [options.baseline ?? "", "serve"];
  if (!options.profile) return [options.binary, "serve"];
  return [
    "bun",
    "--cpu-prof",
    "--cpu-prof-md",
    `--cpu-prof-dir=${join(import.meta.dir, "results/profile")}`,
    join(ROOT, "src/main.ts"),
    "serve",
  ];
}

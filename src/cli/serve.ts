import { createApp } from "../app";
import { createDeps, type DepsOverrides } from "../deps";
import { createScheduler } from "../modules/jobs/scheduler";
import type { Config } from "../platform/config";
import { migrate } from "../platform/db/migrate";
import { VERSION } from "../version";

// Bun refuses larger bodies itself with an empty 413; keeping its limit a little above ours lets
// the app answer with a problem+json body instead.
const BUN_BODY_SLACK = 64 * 1024;

export interface RunningServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish, stops the jobs, closes the database. */
  stop(reason: string): Promise<void>;
}

/** Starts the HTTP server after applying pending migrations. */
export async function startServer(
  config: Config,
  overrides: DepsOverrides = {},
): Promise<RunningServer> {
  const deps = await createDeps(config, overrides);
  const applied = migrate(deps.sqlite);
  if (applied.length > 0) deps.log.info("migrations applied", { migrations: applied });

  const app = createApp(deps).listen({
    port: config.port,
    hostname: config.host,
    // Two servers on one database file is a misconfiguration, not a way to scale.
    reusePort: false,
    maxRequestBodySize: config.bodyLimitBytes + BUN_BODY_SLACK,
  });
  const server = app.server;
  if (!server) throw new Error("The server did not start");
  const url = `http://${server.hostname}:${server.port}`;
  deps.log.info("listening", { url, version: VERSION });
  // Jobs left by a previous run (pending, or interrupted while running) start now.
  deps.jobs.start();
  const scheduler = createScheduler(deps);
  scheduler.start();

  let stopped: Promise<void> | null = null;
  const stop = async (reason: string) => {
    deps.log.info("stopping", { reason });
    // Stop accepting; the promise settles once in-flight requests have been answered.
    await server.stop(false);
    // Elysia runs after-response hooks (the access log) in a setImmediate; let the last ones run.
    await new Promise((resolve) => setImmediate(resolve));
    // Before the database closes: a job cut short here stays `running` and reruns at next start.
    scheduler.stop();
    await deps.jobs.stop();
    deps.mailer.close();
    deps.sqlite.close(false);
    deps.log.info("stopped");
  };
  return {
    url,
    stop: (reason) => {
      stopped ??= stop(reason);
      return stopped;
    },
  };
}

/** `kanbun serve`: runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0. */
export async function serve(config: Config): Promise<void> {
  const running = await startServer(config);
  const onSignal = (signal: string) => {
    void running.stop(signal).then(() => process.exit(0));
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}

import { createApp } from "../app";
import { createDeps } from "../deps";
import { createScheduler } from "../modules/jobs/scheduler";
import type { Config } from "../platform/config";
import { migrate } from "../platform/db/migrate";
import { VERSION } from "../version";

// Bun refuses larger bodies itself with an empty 413; keeping its limit a little above ours lets
// the app answer with a problem+json body instead.
const BUN_BODY_SLACK = 64 * 1024;

/** Starts the HTTP server after applying pending migrations; stops cleanly on SIGTERM/SIGINT. */
export async function serve(config: Config): Promise<void> {
  const deps = await createDeps(config);
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
  deps.log.info("listening", { url: `http://${server.hostname}:${server.port}`, version: VERSION });
  // Jobs left by a previous run (pending, or interrupted while running) start now.
  deps.jobs.start();
  const scheduler = createScheduler(deps);
  scheduler.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info("stopping", { signal });
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
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

import { createApp } from "../app";
import { createDeps, type Deps, type DepsOverrides } from "../deps";
import { createScheduler } from "../modules/jobs/scheduler";
import { CLOSE } from "../modules/realtime/hub";
import type { Config } from "../platform/config";
import { describeStore, migrateStore } from "../platform/db/store";
import { startIdleCollector } from "../platform/idle-collector";
import { createLogger, flushLogs } from "../platform/logging";
import { resolveJwtSecret } from "../platform/secret";
import { VERSION } from "../version";
import { explainListenError } from "./listen-error";

// Bun answers a declared body over its own limit with a bare, empty 413 before the app runs, for
// any size. Its limit is lifted entirely so that the app's body guard answers every oversized
// body instead, with a problem+json body, request id and CORS headers: it refuses an oversized
// Content-Length from the header alone, stops reading a chunked body once it passes BODY_LIMIT,
// and closes the connection on both.
const BUN_BODY_LIMIT = Number.MAX_SAFE_INTEGER;

const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish, stops the jobs, closes the database. */
  stop(reason: string): Promise<void>;
}

export interface ServerOptions extends DepsOverrides {
  /** How long shutdown waits for open requests before closing their connections. */
  shutdownGraceMs?: number;
}

/** Starts the HTTP server after applying pending migrations. */
export async function startServer(
  config: Config,
  { shutdownGraceMs = SHUTDOWN_GRACE_MS, ...overrides }: ServerOptions = {},
): Promise<RunningServer> {
  const log = overrides.log ?? createLogger(config.logLevel);
  // Before the database is touched: production without JWT_SECRET creates nothing.
  const jwtSecret = resolveJwtSecret(config, log);
  const deps = await createDeps(config, { ...overrides, log, jwtSecret });
  for (const warning of config.warnings) log.warn(warning);
  const server = await migrateAndListen(deps);
  const url = `http://${server.hostname}:${server.port}`;
  deps.log.info("listening", { url, version: VERSION, database: describeStore(deps.config) });
  deps.realtime.hub.attach(server);
  deps.realtime.feed.start();
  // Jobs left by a previous run (pending, or interrupted while running) start now.
  await deps.jobs.start();
  const scheduler = createScheduler(deps, deps.config.schedulerIntervalSeconds * 1000);
  void scheduler.start();
  const stopIdleCollector = startIdleCollector(deps.metrics.requestsAnswered);

  let stopped: Promise<void> | null = null;
  const stop = async (reason: string) => {
    deps.log.info("stopping", { reason });
    // Sockets first: an open WebSocket would hold the graceful stop below for its whole grace.
    deps.realtime.feed.stop();
    deps.realtime.hub.closeAll(CLOSE.goingAway, "server shutting down");
    // Stop accepting and let in-flight requests finish; a connection still open after the grace
    // period (a client that never finishes sending) is closed so shutdown cannot hang.
    if (!(await settlesWithin(server.stop(false), shutdownGraceMs))) {
      deps.log.warn("closing connections still open after the shutdown grace period");
      await server.stop(true);
    }
    // Elysia runs after-response hooks (the access log) in a setImmediate; let the last ones run.
    await new Promise((resolve) => setImmediate(resolve));
    // Before the database closes: a job cut short here stays `running` and reruns at next start.
    scheduler.stop();
    stopIdleCollector();
    await deps.jobs.stop();
    deps.mailer.close();
    // The wake before the database: a LISTEN holds one of its connections.
    await deps.shared.close();
    await deps.sql.close();
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

/**
 * Migrates (SQLite: with a safety copy; PostgreSQL: under its lock) and listens; on failure
 * closes what `createDeps` opened.
 */
async function migrateAndListen(deps: Deps) {
  try {
    const { applied, safetyCopy } = await migrateStore(deps);
    if (safetyCopy) deps.log.info("database copied before migrating", { file: safetyCopy });
    if (applied.length > 0) deps.log.info("migrations applied", { migrations: applied });
    return listen(createApp(deps), deps.config);
  } catch (error) {
    deps.mailer.close();
    void deps.shared.close();
    await deps.sql.close();
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, config: Config) {
  try {
    app.listen({
      port: config.port,
      hostname: config.host,
      // Two servers on one database file is a misconfiguration, not a way to scale.
      reusePort: false,
      maxRequestBodySize: BUN_BODY_LIMIT,
    });
  } catch (error) {
    throw explainListenError(config, error);
  }
  if (!app.server) throw new Error("The server did not start");
  return app.server;
}

/** What `serve` needs from the process; tests pass stand-ins. */
export interface ProcessHooks {
  on(signal: "SIGTERM" | "SIGINT", listener: () => void): unknown;
  exit(code: number): void;
}

/** `kanbun serve`: runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0. */
export async function serve(
  config: Config,
  hooks: ProcessHooks = process,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const running = await startServer(config, options);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    hooks.on(signal, () => {
      void running
        .stop(signal)
        .then(flushLogs)
        .then(() => hooks.exit(0));
    });
  }
  return running;
}

/** Whether the promise settles within `ms`; the timer never outlives the answer. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

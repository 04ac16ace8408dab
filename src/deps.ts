import type { Database } from "bun:sqlite";
import { createJobHandlers } from "./modules/jobs/handlers";
import { createJobWorker, type JobWorker } from "./modules/jobs/worker";
import { createFeed } from "./modules/realtime/feed";
import { createHub } from "./modules/realtime/hub";
import type { Realtime } from "./modules/realtime/socket";
import { type Clock, systemClock } from "./platform/clock";
import type { Config } from "./platform/config";
import type { Sql } from "./platform/db/sql";
import { openStore } from "./platform/db/store";
import { createLogger, type Logger } from "./platform/logging";
import { createMailer, type Mailer } from "./platform/mailer";
import { createMetrics, type Metrics } from "./platform/metrics";
import {
  createPasswordHasher,
  type PasswordCost,
  type PasswordHasher,
  PRODUCTION_PASSWORD_COST,
} from "./platform/passwords";
import { LOCAL_STATE, type SharedState, sharesState } from "./platform/shared/state";
import { createTokenService, type TokenService } from "./platform/tokens";
import { type WebBundleSource, webBundleSource } from "./platform/web/bundle";

/**
 * What commands that manage accounts need: the database, a clock, a logger and the password
 * hasher. No signing key, mailer, metrics or job worker.
 */
export interface StoreDeps {
  config: Config;
  /**
   * The raw SQLite connection, for what only SQLite has: backups, copies, pragmas, migrations.
   * Null on PostgreSQL (DATABASE_URL).
   */
  sqlite: Database | null;
  /** Every read and write of features goes through this. */
  sql: Sql;
  log: Logger;
  clock: Clock;
  passwords: PasswordHasher;
}

/** Everything a request needs from the outside world, built once per server process. */
export interface Deps extends StoreDeps {
  tokens: TokenService;
  mailer: Mailer;
  /** Background jobs; started by `serve` only, so commands and tests run jobs explicitly. */
  jobs: JobWorker;
  metrics: Metrics;
  /** Live events: this process's sockets and the feed that fills them; started by `serve`. */
  realtime: Realtime;
  /** The browser app served at `/`: embedded in the binary, or dist/web from source. */
  web: WebBundleSource;
  /** Counters and feed wakes shared between instances (REDIS_URL, or PostgreSQL); see 017. */
  shared: SharedState;
}

export interface DepsOverrides {
  sqlite?: Database;
  /** Another database for features to use (tests of several instances on PostgreSQL). */
  sql?: Sql;
  log?: Logger;
  clock?: Clock;
  passwordCost?: PasswordCost;
  mailer?: Mailer;
  /** The signing secret `serve` resolved; defaults to JWT_SECRET. */
  jwtSecret?: string;
  web?: WebBundleSource;
  shared?: SharedState;
}

export async function createStoreDeps(
  config: Config,
  overrides: DepsOverrides = {},
): Promise<StoreDeps> {
  const { sql, sqlite } = overrides.sql
    ? { sql: overrides.sql, sqlite: overrides.sqlite ?? null }
    : await openStore(config, overrides.sqlite);
  return {
    config,
    sqlite,
    sql,
    log: overrides.log ?? createLogger(config.logLevel),
    clock: overrides.clock ?? systemClock,
    passwords: createPasswordHasher(overrides.passwordCost ?? PRODUCTION_PASSWORD_COST),
  };
}

/** The server's dependencies. It signs tokens, so it needs a secret: `serve` resolves one. */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const secret = overrides.jwtSecret ?? config.jwtSecret;
  if (!secret) throw new Error("createDeps needs a signing secret (JWT_SECRET or jwtSecret)");
  const store = await createStoreDeps(config, overrides);
  const { sql, clock, log } = store;
  const mailer = overrides.mailer ?? createMailer(config, log);
  const hub = createHub();
  const shared = overrides.shared ?? (await openSharedState(config, sql, log));
  return {
    ...store,
    tokens: await createTokenService(secret, config.accessTokenTtlSeconds, clock),
    metrics: createMetrics(store, () => hub.size()),
    mailer,
    jobs: createJobWorker({ sql, clock, log, handlers: createJobHandlers({ mailer }) }),
    realtime: { hub, feed: createFeed(sql, hub, log, shared.wake) },
    web: overrides.web ?? webBundleSource(),
    shared,
  };
}

/** Loads the shared stores' code only when several instances need it (see shared/state.ts). */
async function openSharedState(config: Config, sql: Sql, log: Logger): Promise<SharedState> {
  if (!sharesState(config, sql)) return LOCAL_STATE;
  const { createSharedState } = await import("./platform/shared/shared-state");
  return await createSharedState(config, sql, log);
}

import type { Database } from "bun:sqlite";
import { createJobHandlers } from "./modules/jobs/handlers";
import { createJobWorker, type JobWorker } from "./modules/jobs/worker";
import { type Clock, systemClock } from "./platform/clock";
import type { Config } from "./platform/config";
import { createDb, type Db, openDatabase } from "./platform/db/client";
import { createLogger, type Logger } from "./platform/logging";
import { createMailer, type Mailer } from "./platform/mailer";
import { createMetrics, type Metrics } from "./platform/metrics";
import {
  createPasswordHasher,
  type PasswordCost,
  type PasswordHasher,
  PRODUCTION_PASSWORD_COST,
} from "./platform/passwords";
import { resolveJwtSecret } from "./platform/secret";
import { createTokenService, type TokenService } from "./platform/tokens";

/** Everything a request or command needs from the outside world, built once per process. */
export interface Deps {
  config: Config;
  sqlite: Database;
  db: Db;
  log: Logger;
  clock: Clock;
  tokens: TokenService;
  passwords: PasswordHasher;
  mailer: Mailer;
  /** Background jobs; started by `serve` only, so commands and tests run jobs explicitly. */
  jobs: JobWorker;
  metrics: Metrics;
}

export interface DepsOverrides {
  sqlite?: Database;
  log?: Logger;
  clock?: Clock;
  passwordCost?: PasswordCost;
  mailer?: Mailer;
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const sqlite = overrides.sqlite ?? openDatabase(config.databasePath);
  const secret = resolveJwtSecret(config, log);
  const db = createDb(sqlite);
  const mailer = overrides.mailer ?? createMailer(config, log);
  return {
    config,
    sqlite,
    db,
    log,
    clock,
    tokens: await createTokenService(secret, config.accessTokenTtlSeconds, clock),
    metrics: createMetrics(sqlite),
    passwords: createPasswordHasher(overrides.passwordCost ?? PRODUCTION_PASSWORD_COST),
    mailer,
    jobs: createJobWorker({ db, clock, log, handlers: createJobHandlers({ mailer }) }),
  };
}

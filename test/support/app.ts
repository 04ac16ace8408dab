import { createApp } from "../../src/app";
import { createDeps, type Deps, type DepsOverrides } from "../../src/deps";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logging";
import { TEST_PASSWORD_COST } from "../../src/platform/passwords";
import { FakeClock } from "./clock";
import { freshDatabase } from "./database";
import { onPostgres } from "./dialect";
import { FakeMailer } from "./mailer";
import { createSuiteDatabase } from "./postgres-databases";

export const TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-000";

/** Rate limits and bans off, for tests that repeat calls that the limits would stop. */
export const UNTHROTTLED_ENV = {
  RATE_LIMIT_MAX: "0",
  AUTH_RATE_LIMIT_MAX: "0",
  AUTH_BAN_THRESHOLD: "0",
};

export interface TestContext {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  clock: FakeClock;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Captures every email the app sends (jobs run on `deps.jobs.runDueJobs()`), unless SMTP_URL is set. */
  mailer: FakeMailer;
  request: (path: string, init?: RequestOptions) => Promise<Response>;
}

export interface RequestOptions {
  method?: string;
  /** Sent as JSON unless it is already a string or URLSearchParams. */
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestContextOptions extends Pick<DepsOverrides, "shared" | "sql" | "sqlite"> {
  /** SQLite even when the suite runs on PostgreSQL: for tests about SQLite files and copies. */
  sqliteOnly?: boolean;
}

/**
 * A whole application on a private database, driven through app.handle(): an in-memory SQLite
 * copy, or on PostgreSQL (TEST_DATABASE_URL) a fresh migrated database dropped after the test.
 */
export async function createTestContext(
  env: Record<string, string> = {},
  options: TestContextOptions = {},
): Promise<TestContext> {
  // Handed another context's database or shared store, it plays a second instance of one server.
  const { sqliteOnly, ...overrides } = options;
  const ownDatabase = overrides.sql === undefined && overrides.sqlite === undefined;
  const postgres = onPostgres && !sqliteOnly && ownDatabase ? await createSuiteDatabase() : null;
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_PATH: ":memory:",
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: "info",
    ...(postgres && { DATABASE_URL: postgres.url, DATABASE_POOL_MAX: "4" }),
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const clock = new FakeClock();
  const mailer = new FakeMailer();
  const deps = await createDeps(config, {
    sqlite: postgres || !ownDatabase ? undefined : freshDatabase(),
    clock,
    log: createLogger(config.logLevel, (line) => logs.push(JSON.parse(line))),
    passwordCost: TEST_PASSWORD_COST,
    // A test that sets SMTP_URL gets the real SMTP mailer.
    mailer: config.smtpUrl ? undefined : mailer,
    ...overrides,
  });
  postgres?.register(async () => {
    await deps.jobs.stop();
    await deps.sql.close();
  });
  const app = createApp(deps);
  const request = (path: string, init: RequestOptions = {}) => app.handle(buildRequest(path, init));
  return { app, deps, clock, logs, mailer, request };
}

export function buildRequest(path: string, init: RequestOptions = {}): Request {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.body instanceof URLSearchParams) {
    body = init.body.toString();
    headers["content-type"] ??= "application/x-www-form-urlencoded";
  } else if (typeof init.body === "string") {
    body = init.body;
    headers["content-type"] ??= "application/json";
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return new Request(`http://localhost${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
}

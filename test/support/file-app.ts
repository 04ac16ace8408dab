import { createApp } from "../../src/app";
import { createDeps } from "../../src/deps";
import { loadConfig } from "../../src/platform/config";
import { openDatabase } from "../../src/platform/db/client";
import { migrate } from "../../src/platform/db/migrate";
import { createLogger } from "../../src/platform/logging";
import { TEST_PASSWORD_COST } from "../../src/platform/passwords";
import { buildRequest, type RequestOptions, TEST_SECRET, UNTHROTTLED_ENV } from "./app";
import { FakeMailer } from "./mailer";

/**
 * A whole application on a database file, with its own connection, on the real clock: several
 * of these (in one process or in workers) share one database as separate servers would.
 */
export async function createFileApp(path: string) {
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_PATH: path,
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: "error",
    ...UNTHROTTLED_ENV,
  });
  const sqlite = openDatabase(path);
  migrate(sqlite);
  const deps = await createDeps(config, {
    sqlite,
    log: createLogger("error", () => {}),
    passwordCost: TEST_PASSWORD_COST,
    mailer: new FakeMailer(),
  });
  const app = createApp(deps);
  return {
    app,
    deps,
    request: (url: string, init: RequestOptions = {}) => app.handle(buildRequest(url, init)),
    close: () => sqlite.close(),
  };
}

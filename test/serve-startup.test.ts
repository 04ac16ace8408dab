/** What `serve` says when it cannot start, and what it does before it listens. */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explainListenError } from "../src/cli/listen-error";
import { startServer } from "../src/cli/serve";
import { ConfigError, loadConfig } from "../src/platform/config";
import { openDatabase } from "../src/platform/db/client";
import { embeddedMigrations, migrate } from "../src/platform/db/migrate";
import { createLogger } from "../src/platform/logging";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";

const folders: string[] = [];
const tempFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), "kanbun-startup-"));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function setup(env: Record<string, string> = {}) {
  const folder = tempFolder();
  const lines: Record<string, unknown>[] = [];
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(folder, "kanbun.db"),
    JWT_SECRET: "s".repeat(40),
    ...env,
  });
  const start = () =>
    startServer(config, {
      log: createLogger("info", (line) => lines.push(JSON.parse(line))),
      passwordCost: TEST_PASSWORD_COST,
    });
  return { folder, config, lines, start };
}

/** The one problem line of the ConfigError that `promise` rejects with. */
async function problemOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(1);
    return problems[0] ?? "";
  }
  throw new Error("expected start-up to fail");
}

/** The database was closed after the failed start: restore-style exclusive access works. */
function expectDatabaseReleased(file: string) {
  const sqlite = openDatabase(file);
  try {
    sqlite.run("PRAGMA busy_timeout = 0");
    sqlite.run("BEGIN EXCLUSIVE");
    sqlite.run("COMMIT");
  } finally {
    sqlite.close();
  }
}

test.each(["example.invalid", "256.1.1.1", "192.0.2.1"])(
  "HOST=%p that this machine cannot listen on names HOST and the value",
  async (host) => {
    const { config, start } = setup({ HOST: host });
    const line = await problemOf(start());
    expect(line).toStartWith(`HOST: cannot listen on "${host}" (`);
    expect(line).toContain("0.0.0.0, 127.0.0.1 or ::");
    expectDatabaseReleased(config.databasePath);
  },
);

test("a port in use names PORT", async () => {
  const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const { config, start } = setup({ PORT: String(taken.port) });
    const line = await problemOf(start());
    expect(line).toBe(
      `PORT: ${taken.port} is already in use on 127.0.0.1 (another server is listening at 127.0.0.1:${taken.port})`,
    );
    expectDatabaseReleased(config.databasePath);
  } finally {
    taken.stop(true);
  }
});

test("a port this user may not open names PORT (mapped from the system's error)", () => {
  // Root may open any port, so the error itself is made here; e2e runs the binary unprivileged.
  const { config } = setup({ PORT: "80" });
  const denied = Object.assign(new Error("EACCES: permission denied, listen"), { code: "EACCES" });
  const error = explainListenError(config, denied) as ConfigError;
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.problems).toEqual([
    "PORT: not allowed to listen on 127.0.0.1:80 (ports below 1024 need privileges; use e.g. 3000 behind a reverse proxy)",
  ]);
});

test("production without JWT_SECRET refuses before creating anything", async () => {
  const { folder, start } = setup({ NODE_ENV: "production", JWT_SECRET: "" });
  const line = await problemOf(start());
  expect(line).toStartWith("JWT_SECRET: required when NODE_ENV=production");
  expect(readdirSync(folder)).toEqual([]);
});

test("production without APP_URL logs a warning naming it; development does not", async () => {
  for (const [env, warned] of [
    [{ NODE_ENV: "production" }, true],
    [{ NODE_ENV: "production", APP_URL: "https://tasks.example.com" }, false],
    [{}, false],
  ] as const) {
    const { lines, start } = setup(env);
    const running = await start();
    await running.stop("test");
    const warnings = lines.filter((line) => line.level === "warn").map((line) => line.msg);
    expect(warnings.some((msg) => String(msg).startsWith("APP_URL is not set"))).toBe(warned);
  }
});

test("serve copies a database that holds data before migrating it, and says where", async () => {
  const { config, lines, start } = setup();
  const old = openDatabase(config.databasePath);
  migrate(old, embeddedMigrations().slice(0, 2));
  old.close();

  const running = await start();
  await running.stop("test");
  const copy = `${config.databasePath}.pre-${embeddedMigrations()[2]?.tag}.bak`;
  const logged = lines.find((line) => line.msg === "database copied before migrating");
  expect(logged?.file).toBe(copy);
  expect(statSync(copy).mode & 0o777).toBe(0o600);
  const order = lines.map((line) => line.msg);
  expect(order.indexOf("database copied before migrating")).toBeLessThan(
    order.indexOf("migrations applied"),
  );
});

test("a development secret's folder is created owner-only", async () => {
  const folder = tempFolder();
  const { start } = setup({ JWT_SECRET: "", DATABASE_PATH: join(folder, "data", "kanbun.db") });
  const running = await start();
  await running.stop("test");
  expect(statSync(join(folder, "data")).mode & 0o777).toBe(0o700);
  expect(statSync(join(folder, "data", "jwt-secret")).mode & 0o777).toBe(0o600);
});

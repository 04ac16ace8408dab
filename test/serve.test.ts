import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, startServer } from "../src/cli/serve";
import { loadConfig } from "../src/platform/config";
import { openDatabase } from "../src/platform/db/client";
import { embeddedMigrations } from "../src/platform/db/migrate";
import { createLogger } from "../src/platform/logging";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { resolveJwtSecret } from "../src/platform/secret";
import { createLocalWake } from "../src/platform/shared/wake";

const folders: string[] = [];
const tempFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), "kanbun-serve-"));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

test("startServer migrates, listens, answers, and stops cleanly with the database closed", async () => {
  const folder = tempFolder();
  const databasePath = join(folder, "kanbun.db");
  const lines: Record<string, unknown>[] = [];
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
    JWT_SECRET: "s".repeat(40),
  });
  const running = await startServer(config, {
    log: createLogger("info", (line) => lines.push(JSON.parse(line))),
    passwordCost: TEST_PASSWORD_COST,
  });
  const health = await fetch(`${running.url}/health`);
  expect(health.status).toBe(200);
  expect(((await health.json()) as { status: string }).status).toBe("ok");

  await Promise.all([running.stop("test"), running.stop("again")]);
  expect(lines.map((line) => line.msg)).toEqual(
    expect.arrayContaining(["migrations applied", "listening", "stopping", "stopped"]),
  );
  expect(lines.filter((line) => line.msg === "stopped")).toHaveLength(1);
  await expect(fetch(`${running.url}/health`)).rejects.toThrow();

  // Closed cleanly: the file opens, is intact and holds the migrated schema.
  const reopened = new Database(databasePath);
  expect(reopened.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  expect(reopened.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({
    n: embeddedMigrations().length,
  });
  reopened.close();
});

test("shutdown closes the shared wake while the database is still open", async () => {
  const folder = tempFolder();
  const databasePath = join(folder, "kanbun.db");
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
    JWT_SECRET: "s".repeat(40),
    LOG_LEVEL: "silent",
  });
  const sqlite = openDatabase(databasePath);
  const isOpen = () => {
    try {
      return sqlite.query("SELECT 1 AS one").get() !== null;
    } catch {
      return false;
    }
  };
  const wake = createLocalWake(createLogger("silent"));
  const seen: { openAtClose?: boolean } = {};
  const running = await startServer(config, {
    sqlite,
    passwordCost: TEST_PASSWORD_COST,
    shared: {
      store: "database",
      counters: null,
      wake,
      async close() {
        seen.openAtClose = isOpen();
        await wake.close();
      },
    },
  });
  await running.stop("test");
  expect(seen.openAtClose).toBe(true);
  expect(isOpen()).toBe(false);
});

test("a body far over BODY_LIMIT gets the app's problem+json 413, not Bun's bare one", async () => {
  const folder = tempFolder();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(folder, "kanbun.db"),
    JWT_SECRET: "s".repeat(40),
    BODY_LIMIT: "2kb",
  });
  const running = await startServer(config, {
    log: createLogger("silent"),
    passwordCost: TEST_PASSWORD_COST,
  });
  try {
    for (const size of [3_000, 200_000, 3_000_000]) {
      const response = await fetch(`${running.url}/api/v1/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ padding: "x".repeat(size) }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get("content-type")).toStartWith("application/problem+json");
      expect(response.headers.get("x-request-id")).toBeTruthy();
      expect(((await response.json()) as { code: string }).code).toBe("payload_too_large");
    }
  } finally {
    await running.stop("test");
  }
});

test("serve stops cleanly and exits 0 on SIGTERM and on SIGINT", async () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const folder = tempFolder();
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: join(folder, "k.db"),
      JWT_SECRET: "s".repeat(40),
    });
    const listeners = new Map<string, () => void>();
    let exitedWith = -1;
    const exited = new Promise<void>((resolve) => {
      const hooks = {
        on: (name: "SIGTERM" | "SIGINT", listener: () => void) => listeners.set(name, listener),
        exit: (code: number) => {
          exitedWith = code;
          resolve();
        },
      };
      void serve(config, hooks, {
        log: createLogger("silent"),
        passwordCost: TEST_PASSWORD_COST,
      }).then((running) => {
        void fetch(`${running.url}/health`).then((response) => {
          expect(response.status).toBe(200);
          listeners.get(signal)?.();
        });
      });
    });
    await exited;
    expect(exitedWith).toBe(0);
    expect([...listeners.keys()].sort()).toEqual(["SIGINT", "SIGTERM"]);
  }
});

test("a client that never finishes its request cannot hold shutdown open past the grace period", async () => {
  const folder = tempFolder();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(folder, "k.db"),
    JWT_SECRET: "s".repeat(40),
  });
  const lines: Record<string, unknown>[] = [];
  const running = await startServer(config, {
    log: createLogger("info", (line) => lines.push(JSON.parse(line))),
    shutdownGraceMs: 200,
  });
  const { port } = new URL(running.url);
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port: Number(port),
    socket: { data() {}, error() {} },
  });
  // Headers promise 100 bytes of body; only a few ever arrive.
  socket.write(
    'POST /api/v1/auth/signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
  );
  await Bun.sleep(50);
  const started = performance.now();
  await running.stop("test");
  const took = performance.now() - started;
  expect(took).toBeLessThan(5_000);
  expect(lines.some((line) => String(line.msg).includes("grace period"))).toBe(true);
  expect(lines.at(-1)?.msg).toBe("stopped");
  socket.end();
});

test("without JWT_SECRET a development secret is generated once, kept owner-only, and reused", () => {
  const folder = tempFolder();
  const config = loadConfig({ DATABASE_PATH: join(folder, "data", "kanbun.db") });
  const warnings: string[] = [];
  const log = createLogger("warn", (line) => warnings.push(JSON.parse(line).msg));

  const first = resolveJwtSecret(config, log);
  const file = join(folder, "data", "jwt-secret");
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(readFileSync(file, "utf8").trim()).toBe(first);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(resolveJwtSecret(config, log)).toBe(first);
  expect(warnings).toHaveLength(1);
  // Nothing secret is ever logged.
  expect(warnings.join(" ")).not.toContain(first);
});

test("a JWT_SECRET from the environment wins and no file is written", () => {
  const folder = tempFolder();
  const config = loadConfig({
    DATABASE_PATH: join(folder, "kanbun.db"),
    JWT_SECRET: "e".repeat(32),
  });
  expect(resolveJwtSecret(config, createLogger("silent"))).toBe("e".repeat(32));
  expect(existsSync(join(folder, "jwt-secret"))).toBe(false);
});

test("a too-short stored secret is replaced; an in-memory database gets a throw-away secret", () => {
  const folder = tempFolder();
  const config = loadConfig({ DATABASE_PATH: join(folder, "kanbun.db") });
  writeFileSync(join(folder, "jwt-secret"), "short\n");
  const replaced = resolveJwtSecret(config, createLogger("silent"));
  expect(replaced).not.toBe("short");
  expect(replaced.length).toBeGreaterThanOrEqual(32);

  const memory = loadConfig({ DATABASE_PATH: ":memory:" });
  const a = resolveJwtSecret(memory, createLogger("silent"));
  const b = resolveJwtSecret(memory, createLogger("silent"));
  expect(a).not.toBe(b);
});

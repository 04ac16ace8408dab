/**
 * The compiled binary, end to end: real processes, real sockets, a database file on disk, and a
 * working directory that holds nothing (so migrations and docs assets must be embedded).
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json";
import {
  cleanUp,
  ensureBinary,
  makeTempDir,
  runCli,
  serverEnv,
  startServer,
} from "./binary-process";

const TIMEOUT = 20_000;
let binary = "";

beforeAll(() => {
  binary = ensureBinary();
}, 120_000);

afterAll(cleanUp);

async function api(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  expect(response.headers.get("content-type")).toContain("application/json");
  return JSON.parse(text) as T;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
}

const account = (name: string) => ({
  username: name,
  email: `${name}@example.com`,
  password: `Sturdy-${name}-passphrase`,
});

describe("kanbun serve", () => {
  test(
    "starts from an empty directory, keeps data across a SIGTERM restart",
    async () => {
      const dir = makeTempDir();
      const env = serverEnv(dir);
      const first = await startServer(binary, dir, env);
      console.log(`kanbun: spawn to first 200 /health in ${first.startupMs.toFixed(0)} ms`);
      expect(existsSync(join(dir, "drizzle"))).toBe(false);
      const health = await json(await api(first.baseUrl, "/health"), 200);
      expect(health).toEqual({ status: "ok", version: packageJson.version });

      const alice = account("alice");
      const signup = await json<{ user: { id: number; username: string } }>(
        await api(first.baseUrl, "/api/v1/auth/signup", { body: alice }),
        201,
      );
      expect(signup.user.username).toBe("alice");
      const tokens = await json<Tokens>(
        await api(first.baseUrl, "/api/v1/auth/login", {
          body: { email: alice.email, password: alice.password },
        }),
        200,
      );
      expect(tokens.token_type).toBe("bearer");
      const created = await api(first.baseUrl, "/api/v1/tasks", {
        token: tokens.access_token,
        body: { title: "Survive a restart", priority: 2 },
      });
      const task = await json<{ id: number; title: string }>(created, 201);
      expect(created.headers.get("location")).toEndWith(`/api/v1/tasks/${task.id}`);

      expect(await first.stop()).toBe(0);
      const messages = first.logMessages();
      expect(messages).toContain("stopping");
      expect(messages.at(-1)).toBe("stopped");
      expect(first.stderr()).toBe("");
      await expect(fetch(`${first.baseUrl}/health`)).rejects.toThrow();

      const second = await startServer(binary, dir, env);
      // Same secret and the session row on disk: the old access token still works.
      const listed = await api(second.baseUrl, "/api/v1/tasks", { token: tokens.access_token });
      const tasks = await json<{ id: number; title: string; priority: number }[]>(listed, 200);
      expect(tasks.map((t) => [t.id, t.title, t.priority])).toEqual([
        [task.id, "Survive a restart", 2],
      ]);
      const refreshed = await json<Tokens>(
        await api(second.baseUrl, "/api/v1/auth/refresh", {
          body: { refresh_token: tokens.refresh_token },
        }),
        200,
      );
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      // The refresh token from before the restart is now spent.
      const replay = await api(second.baseUrl, "/api/v1/auth/refresh", {
        body: { refresh_token: tokens.refresh_token },
      });
      expect(replay.status).toBe(401);
      expect(replay.headers.get("content-type")).toContain("application/problem+json");

      const again = await json<Tokens>(
        await api(second.baseUrl, "/api/v1/auth/login", {
          body: { username: alice.username, password: alice.password },
        }),
        200,
      );
      const fetched = await json<{ title: string }>(
        await api(second.baseUrl, `/api/v1/tasks/${task.id}`, { token: again.access_token }),
        200,
      );
      expect(fetched.title).toBe("Survive a restart");
      // Nothing was migrated twice and nothing went wrong.
      expect(second.logMessages()).not.toContain("migrations applied");
      expect(await second.stop()).toBe(0);
      expect(second.stdout()).not.toContain('"level":"error"');
    },
    TIMEOUT,
  );

  test(
    "finishes an in-flight request after SIGTERM, then exits 0",
    async () => {
      const dir = makeTempDir();
      const env = serverEnv(dir);
      const server = await startServer(binary, dir, env);
      // Sign-up hashes a password (argon2id, ~100 ms), so it is still running when the signal lands.
      const pending = api(server.baseUrl, "/api/v1/auth/signup", { body: account("bob") });
      await Bun.sleep(30);
      const exited = server.stop();

      const body = await json<{ message: string; user: { username: string } }>(await pending, 201);
      expect(body.user.username).toBe("bob");
      expect(await exited).toBe(0);

      const lines = server
        .stdout()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number });
      const stopping = lines.findIndex((line) => line.msg === "stopping");
      const answered = lines.findIndex(
        (line) => line.msg === "request" && line.path === "/api/v1/auth/signup",
      );
      // The request was answered after shutdown began, and the database closed after that.
      expect(stopping).toBeGreaterThanOrEqual(0);
      expect(answered).toBeGreaterThan(stopping);
      expect(lines[answered]?.status).toBe(201);
      expect(lines.at(-1)?.msg).toBe("stopped");

      const db = new Database(env.DATABASE_PATH, { readonly: true });
      try {
        expect(db.query("SELECT username FROM users").all()).toEqual([{ username: "bob" }]);
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );

  test(
    "serves the API docs and their assets from the binary",
    async () => {
      const dir = makeTempDir();
      const server = await startServer(binary, dir, serverEnv(dir));
      const page = await api(server.baseUrl, "/docs");
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      const html = await page.text();
      expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
      // An offline server must not depend on a CDN.
      expect(html).not.toMatch(/unpkg\.com|jsdelivr\.net|cdnjs/);

      const script = await api(server.baseUrl, "/docs/assets/swagger-ui-bundle.js");
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toContain("javascript");
      expect((await script.text()).length).toBeGreaterThan(100_000);
      const css = await api(server.baseUrl, "/docs/assets/swagger-ui.css");
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toContain("text/css");
      await css.arrayBuffer();

      const spec = await json<{ openapi: string; paths: Record<string, unknown> }>(
        await api(server.baseUrl, "/docs/json"),
        200,
      );
      expect(spec.openapi).toStartWith("3.");
      expect(Object.keys(spec.paths)).toContain("/api/v1/tasks");
      expect(await server.stop()).toBe(0);
    },
    TIMEOUT,
  );

  test(
    "serves the web app embedded in the binary, from a folder that holds no build",
    async () => {
      const dir = makeTempDir();
      const server = await startServer(binary, dir, serverEnv(dir));
      for (const path of ["/", "/boards/12"]) {
        const page = await api(server.baseUrl, path);
        expect(page.status).toBe(200);
        expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
        const html = await page.text();
        const script = /src="(\/assets\/main-[a-z0-9]+\.js)"/.exec(html)?.[1];
        expect(script).toBeDefined();
        const asset = await api(server.baseUrl, script ?? "");
        expect(asset.status).toBe(200);
        expect(asset.headers.get("cache-control")).toContain("immutable");
        expect((await asset.text()).length).toBeGreaterThan(10_000);
      }
      const missing = await api(server.baseUrl, "/api/v1/nothing-here");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toContain("application/problem+json");
      await missing.arrayBuffer();
      expect(await server.stop()).toBe(0);
    },
    TIMEOUT,
  );
});

describe("kanbun commands", () => {
  test("--help and version print and exit 0", async () => {
    const dir = makeTempDir();
    const help = await runCli(binary, ["--help"], dir, {});
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Usage:");
    expect(help.stdout).toContain("kanbun backup FILE");
    expect(help.stderr).toBe("");

    const version = await runCli(binary, ["version"], dir, {});
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(packageJson.version);

    const unknown = await runCli(binary, ["frobnicate"], dir, {});
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr.trim()).toContain('Unknown command "frobnicate"');
  });

  test("a bad environment variable stops start-up with one line naming it", async () => {
    const dir = makeTempDir();
    const result = await runCli(binary, ["serve"], dir, serverEnv(dir, { PORT: "abc" }));
    expect(result.exitCode).not.toBe(0);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("PORT");
    expect(lines[0]).toContain("abc");
    expect(result.stdout).toBe("");
    expect(existsSync(join(dir, "kanbun.db"))).toBe(false);
  });

  test(
    "migrate, users create --role superadmin, then log in and back up while serving",
    async () => {
      const dir = makeTempDir();
      const env = serverEnv(dir);

      const migrated = await runCli(binary, ["migrate"], dir, env);
      expect(migrated.exitCode).toBe(0);
      expect(migrated.stdout).toStartWith("Applied: ");
      const again = await runCli(binary, ["migrate"], dir, env);
      expect(again.exitCode).toBe(0);
      expect(again.stdout.trim()).toBe("The database is up to date.");

      const root = account("root");
      const args = ["users", "create", "--username", root.username, "--email", root.email];
      const badRole = await runCli(
        binary,
        [...args, "--password", root.password, "--role", "god"],
        dir,
        env,
      );
      expect(badRole.exitCode).toBe(1);
      expect(badRole.stderr).toContain("--role");
      const created = await runCli(
        binary,
        [...args, "--password", root.password, "--role", "superadmin"],
        dir,
        env,
      );
      expect(created.stderr).toBe("");
      expect(created.exitCode).toBe(0);
      expect(created.stdout).toContain("superadmin root <root@example.com>");

      const server = await startServer(binary, dir, env);
      const tokens = await json<Tokens>(
        await api(server.baseUrl, "/api/v1/auth/login", {
          body: { username: root.username, password: root.password },
        }),
        200,
      );
      const me = await json<{ role: string; email_verified: boolean }>(
        await api(server.baseUrl, "/api/v1/users/me", { token: tokens.access_token }),
        200,
      );
      expect(me).toMatchObject({ role: "superadmin", email_verified: true });

      const file = join(dir, "backup.db");
      const backup = await runCli(binary, ["backup", file], dir, env);
      expect(backup.stderr).toBe("");
      expect(backup.exitCode).toBe(0);
      expect(backup.stdout).toContain(file);
      const overwrite = await runCli(binary, ["backup", file], dir, env);
      expect(overwrite.exitCode).toBe(1);
      expect(overwrite.stderr).toContain("already exists");

      const copy = new Database(file, { readonly: true });
      try {
        expect(copy.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
        expect(copy.query("SELECT username, role FROM users").all()).toEqual([
          { username: "root", role: "superadmin" },
        ]);
      } finally {
        copy.close();
      }
      // The live server did not notice the backup.
      await json(await api(server.baseUrl, "/health"), 200);
      expect(await server.stop()).toBe(0);
    },
    TIMEOUT,
  );
});

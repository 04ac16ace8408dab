/**
 * What the browser tests stand on: a real server on 127.0.0.1 (an ephemeral port) serving the
 * built web app from dist/web, and Debian's Chromium driven by playwright-core.
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { type RunningServer, startServer } from "../../src/cli/serve";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logging";
import { directoryBundleSource } from "../../src/platform/web/bundle";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const WEB_BUILD = join(REPO_ROOT, "dist/web");

export interface BrowserServer {
  server: RunningServer;
  baseUrl: string;
  /** Sets an account's role in the database, as `kanbun users set-role` would. */
  setRole(username: string, role: "user" | "admin" | "superadmin"): void;
  /**
   * Sets a member's role on every board the user belongs to, straight in the database: the
   * change emits no event, so an open page still believes the old role (a stale screen).
   */
  setBoardRole(username: string, role: "editor" | "viewer"): void;
  /** Stops the server, runs `whileDown`, and starts it again on the same port and database. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<BrowserServer> {
  if (!existsSync(join(WEB_BUILD, "index.html"))) {
    throw new Error("dist/web is missing: run `bun run build:web` (bun run test:browser does)");
  }
  const dir = mkdtempSync(join(tmpdir(), "kanbun-browser-"));
  const configFor = (port: string) =>
    loadConfig({
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: port,
      DATABASE_PATH: join(dir, "kanbun.db"),
      JWT_SECRET: "browser-test-secret-that-is-long-enough-0000",
      RATE_LIMIT_MAX: "0",
      AUTH_RATE_LIMIT_MAX: "0",
      AUTH_BAN_THRESHOLD: "0",
      LOG_LEVEL: "silent",
    });
  const config = configFor("0");
  const start = async (port: string) =>
    await startServer(configFor(port), {
      web: directoryBundleSource(WEB_BUILD),
      log: createLogger("silent"),
      shutdownGraceMs: 1000,
    });
  const update = (sql: string, values: string[]) => {
    const db = new Database(config.databasePath);
    try {
      db.run(sql, values);
    } finally {
      db.close();
    }
  };
  const first = await start("0");
  const handle: BrowserServer = {
    server: first,
    baseUrl: first.url,
    setRole(username, role) {
      update("UPDATE users SET role = ? WHERE username = ?", [role, username]);
    },
    setBoardRole(username, role) {
      update(
        "UPDATE board_members SET role = ? WHERE role != 'owner' AND user_id = (SELECT id FROM users WHERE username = ?)",
        [role, username],
      );
      // As a role change through the API does, the boards' revisions move (their ETags with them).
      update(
        "UPDATE boards SET version = version + 1 WHERE id IN (SELECT board_id FROM board_members WHERE user_id = (SELECT id FROM users WHERE username = ?))",
        [username],
      );
    },
    async restart(whileDown) {
      await handle.server.stop("restart");
      await whileDown?.();
      handle.server = await start(new URL(handle.baseUrl).port);
    },
    async close() {
      await handle.server.stop("tests done");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Playwright's launch gives the browser a fresh temporary profile of its own each time. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Errors the page raised or logged (CSP refusals included), to assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() !== "error") return;
    // Failed API calls the app handles (a 4xx it shows, a WebSocket it retries) are not errors
    // of the page itself; script or policy errors are.
    if (/Failed to load resource|WebSocket connection/.test(text)) return;
    errors.push(`console: ${text}`);
  });
  return errors;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on.
  await page.evaluate(AXE_SOURCE);
  // As text: this project's types have no DOM.
  const violations = (await page.evaluate(
    "axe.run().then((result) => result.violations)",
  )) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.slice(0, 3).map((node) => ({ target: node.target })),
    }));
}

/** An account made through the API, as another client would. */
export async function signUpByApi(baseUrl: string, username: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      username,
      email: `${username}@example.com`,
      password: `Sturdy-${username}-passphrase`,
    }),
  });
  if (response.status !== 201)
    throw new Error(`signup ${response.status}: ${await response.text()}`);
}

export async function signInByUi(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email or username").fill(username);
  await page.getByLabel("Password").fill(`Sturdy-${username}-passphrase`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/tasks");
}

/** An access token for an account, for setting up data through the API. */
export async function apiToken(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: `Sturdy-${username}-passphrase` }),
  });
  if (!response.ok) throw new Error(`login ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Two `kanbun serve` processes (the compiled binary) on one PostgreSQL database, as two instances
 * behind a load balancer would run, and the small HTTP client the multi-instance tests drive them
 * with. Every request names a client address of its own in X-Forwarded-For (the instances trust
 * the proxy header), so the per-address limits never mix the tests' calls up; a test that is
 * about an address names one.
 */
import { expect } from "bun:test";
import {
  JWT_SECRET,
  makeTempDir,
  type RunningServer,
  runCli,
  startServer,
} from "../e2e/binary-process";
import { openSocket, type TestSocket } from "./live";

export interface Instance {
  name: "A" | "B";
  server: RunningServer;
  /** Sends one request to this instance. */
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Opens a WebSocket on this instance as `token`, and waits for it to be open. */
  connect(token: string, since?: number): Promise<TestSocket>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The client address the proxy reports; a fresh one by default. */
  address?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, read by each test as it expects.
  body: any;
}

/** Requests per minute per address on both instances together. */
export const RATE_LIMIT_MAX = 40;
/** Also the per-account failure budget: max(AUTH_RATE_LIMIT_MAX, 10) failures per 15 minutes. */
export const AUTH_RATE_LIMIT_MAX = 10;

/** The environment both instances share: one database, one signing secret, trusted proxy. */
export function pairEnv(databaseUrl: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    JWT_SECRET,
    TRUST_PROXY: "true",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/**
 * Starts A and B at the same moment on `env` (so both find the database unmigrated), each in a
 * working directory of its own.
 */
export async function startPair(
  binary: string,
  env: Record<string, string>,
): Promise<[Instance, Instance]> {
  const [a, b] = await Promise.all(
    (["A", "B"] as const).map(async (name) => {
      const dir = makeTempDir();
      return instanceOf(name, await startServer(binary, dir, env));
    }),
  );
  return [a as Instance, b as Instance];
}

function instanceOf(name: "A" | "B", server: RunningServer): Instance {
  return {
    name,
    server,
    async call(method, path, { token, body, headers = {}, address = randomAddress() } = {}) {
      const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          "x-forwarded-for": address,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : null,
      };
    },
    connect(token, since) {
      const url = new URL("/api/v1/ws", server.baseUrl.replace("http", "ws"));
      url.searchParams.set("access_token", token);
      if (since !== undefined) url.searchParams.set("since", String(since));
      return openSocket(url.href);
    },
  };
}

/** An address from 10/8 no other call is likely to use. */
export function randomAddress(): string {
  const [x = 0, y = 0, z = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${x}.${y}.${z}`;
}

/** The answer if it is a 2xx; otherwise fails, naming the call and what came back. */
export async function ok(answer: Promise<Answer>, what: string): Promise<Answer> {
  const settled = await answer;
  if (settled.status >= 300) {
    throw new Error(`${what}: ${settled.status} ${JSON.stringify(settled.body)}`);
  }
  return settled;
}

export interface Account {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates a verified account with the binary's own command line, as an operator would (so
 * reminders are emailed to it, and no verification mail is sent).
 */
export async function createAccount(
  binary: string,
  env: Record<string, string>,
  username: string,
): Promise<Account> {
  const account = {
    username,
    email: `${username}@example.com`,
    password: `Sturdy-${username}-pass-9`,
  };
  const result = await runCli(
    binary,
    [
      "users",
      "create",
      "--username",
      username,
      "--email",
      account.email,
      "--password",
      account.password,
    ],
    makeTempDir(),
    env,
  );
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: "" });
  return account;
}

export interface Session {
  access: string;
  refresh: string;
}

/** Signs `account` in through `instance`. */
export async function signIn(instance: Instance, account: Account): Promise<Session> {
  const { body } = await ok(
    instance.call("POST", "/auth/login", {
      body: { username: account.username, password: account.password },
    }),
    `login ${account.username} on ${instance.name}`,
  );
  return { access: body.access_token, refresh: body.refresh_token };
}

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await Bun.sleep(50);
  }
}

import { expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { createApp } from "../../src/app";
import type { PasswordSource } from "../../src/cli/password-input";
import { runCli } from "../../src/cli/run";
import { createDeps } from "../../src/deps";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logging";
import { TEST_PASSWORD_COST } from "../../src/platform/passwords";
import { buildRequest, TEST_SECRET } from "./app";
import { FakeMailer } from "./mailer";

/** Private folders for CLI tests, each with its own database path; `removeAll` in afterAll. */
export function cliWorkspaces(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let sequence = 0;
  return {
    root,
    next() {
      sequence += 1;
      const dir = join(root, `w${sequence}`);
      const env = {
        NODE_ENV: "test",
        DATABASE_PATH: join(dir, "kanbun.db"),
        JWT_SECRET: TEST_SECRET,
        LOG_LEVEL: "silent",
      };
      return { dir, env };
    },
    removeAll: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface RunOptions {
  /** Password hashing at the production cost instead of the cheap test cost. */
  productionCost?: boolean;
  /** Standard input: text (a pipe) or a stream such as `fakeTerminal()`. Empty by default. */
  input?: string | PasswordSource;
}

/** Runs the CLI in process with capturing output. */
export async function runCommand(
  argv: string[],
  env: Record<string, string>,
  options: RunOptions = {},
) {
  const info: string[] = [];
  const error: string[] = [];
  const prompts: string[] = [];
  const output = {
    info: (line: string) => info.push(line),
    error: (line: string) => error.push(line),
    prompt: (text: string) => prompts.push(text),
  };
  const input =
    typeof options.input === "object" ? options.input : Readable.from([options.input ?? ""]);
  const code = await runCli(argv, env, output, {
    input,
    ...(options.productionCost ? {} : { passwordCost: TEST_PASSWORD_COST }),
  });
  return { code, info, error, prompts };
}

/** Expects exit code 1 and exactly one single-line error, which it returns. */
export async function expectCliFailure(
  argv: string[],
  env: Record<string, string>,
  options: RunOptions = {},
) {
  const result = await runCommand(argv, env, options);
  expect(result).toMatchObject({ code: 1, info: [] });
  expect(result.error).toHaveLength(1);
  const [line = ""] = result.error;
  expect(line).toStartWith("kanbun: ");
  expect(line).not.toContain("\n");
  expect(line).not.toMatch(/\bat \S+:\d+/);
  return line;
}

/**
 * A stand-in terminal: `isTTY` is true and raw mode is recorded, so readline treats it as a
 * keyboard. `type` sends keystrokes once the command is waiting for them.
 */
export function fakeTerminal() {
  const stream = new PassThrough() as PassThrough & {
    isTTY: boolean;
    isRaw: boolean;
    rawModes: boolean[];
    setRawMode(mode: boolean): unknown;
  };
  stream.isTTY = true;
  stream.isRaw = false;
  stream.rawModes = [];
  stream.setRawMode = (mode: boolean) => {
    stream.isRaw = mode;
    stream.rawModes.push(mode);
    return stream;
  };
  return stream;
}

/** The HTTP app on the database file the CLI wrote; its emails are captured. */
export async function appOn(env: Record<string, string>) {
  const mailer = new FakeMailer();
  const deps = await createDeps(loadConfig(env), {
    log: createLogger("silent"),
    passwordCost: TEST_PASSWORD_COST,
    mailer,
  });
  const app = createApp(deps);
  const request = (path: string, init?: Parameters<typeof buildRequest>[1]) =>
    app.handle(buildRequest(path, init));
  const login = (email: string, password: string) =>
    request("/api/v1/auth/login", { body: { email, password } });
  return { deps, mailer, request, login, close: () => deps.sql.close() };
}

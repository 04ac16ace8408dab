/**
 * The compiled binary as a self-hoster runs it: file modes on disk, commands without
 * JWT_SECRET, passwords typed at a real terminal, start-up errors, and restore next to a
 * running server.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  cleanUp,
  ensureBinary,
  JWT_SECRET,
  makeTempDir,
  runCli,
  serverEnv,
  startServer,
} from "./binary-process";

const TIMEOUT = 20_000;
const PASSWORD = "Sturdy-e2e-passphrase-1";
let binary = "";

beforeAll(() => {
  binary = ensureBinary();
}, 120_000);

afterAll(cleanUp);

// Root may write anywhere and open any port, so tests about refusals run the binary as an
// unprivileged user when the suite runs as root.
const UNPRIVILEGED =
  process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];

function readFileOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return fallback;
  }
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

const createArgs = (name: string) => [
  "users",
  "create",
  "--username",
  name,
  "--email",
  `${name}@example.com`,
];

async function login(baseUrl: string, username: string, password: string) {
  return fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
}

/**
 * Runs the binary on a pseudo-terminal, typing `lines` one by one as prompts appear. Returns
 * everything the terminal showed.
 */
async function onTerminal(
  args: string[],
  dir: string,
  env: Record<string, string>,
  lines: string[],
) {
  let screen = "";
  const proc = Bun.spawn([binary, ...args], {
    cwd: dir,
    env,
    terminal: {
      data: (_terminal, data) => {
        screen += new TextDecoder().decode(data);
      },
    },
  });
  const terminal = proc.terminal;
  if (!terminal) throw new Error("no terminal");
  for (const [index, line] of lines.entries()) {
    const prompts = index + 1;
    const started = performance.now();
    while ((screen.match(/Password: |Repeat the password: /g) ?? []).length < prompts) {
      if (performance.now() - started > 5_000) throw new Error(`no prompt: ${screen}`);
      await Bun.sleep(10);
    }
    terminal.write(`${line}\r`);
  }
  const exitCode = await proc.exited;
  await Bun.sleep(50);
  terminal.close();
  return { exitCode, screen };
}

describe("kanbun on disk", () => {
  test(
    "database, -wal, -shm and folder are owner-only while serving; restore waits for the server to stop",
    async () => {
      const root = makeTempDir();
      const dir = join(root, "data");
      const env = serverEnv(dir);
      // A pipe gives the password: nothing on the command line.
      const created = await runCli(binary, createArgs("ada"), root, env, {
        stdin: `${PASSWORD}\n`,
      });
      expect(created.stderr).toBe("");
      expect(created.exitCode).toBe(0);
      const backup = join(root, "ada.db");
      expect((await runCli(binary, ["backup", backup], root, env)).exitCode).toBe(0);
      expect(modeOf(backup)).toBe(0o600);

      const server = await startServer(binary, root, env);
      expect(modeOf(dir)).toBe(0o700);
      for (const suffix of ["", "-wal", "-shm"]) {
        expect(modeOf(`${env.DATABASE_PATH}${suffix}`)).toBe(0o600);
      }
      const bob = await runCli(binary, createArgs("bob"), root, env, { stdin: `${PASSWORD}\n` });
      expect(bob.exitCode).toBe(0);

      // Refused while the server runs; the server notices nothing.
      const refused = await runCli(binary, ["restore", backup], root, env);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.trim()).toBe(
        `kanbun: ${env.DATABASE_PATH} is in use: stop the server (and any other kanbun command) first, then restore`,
      );
      expect((await login(server.baseUrl, "bob", PASSWORD)).status).toBe(200);
      expect(await server.stop()).toBe(0);

      const restored = await runCli(binary, ["restore", backup], root, env);
      expect(restored.stderr).toBe("");
      expect(restored.exitCode).toBe(0);
      expect(restored.stdout).toContain(`Restored ${backup} to ${env.DATABASE_PATH}.`);
      const again = await startServer(binary, root, env);
      expect((await login(again.baseUrl, "ada", PASSWORD)).status).toBe(200);
      expect((await login(again.baseUrl, "bob", PASSWORD)).status).toBe(401);
      expect(await again.stop()).toBe(0);
    },
    TIMEOUT,
  );

  test("production commands run without JWT_SECRET and leave no secret file", async () => {
    const dir = makeTempDir();
    const env = { ...serverEnv(dir), NODE_ENV: "production" } as Record<string, string>;
    delete env.JWT_SECRET;
    for (const args of [["migrate"], ["users", "list"], ["backup", join(dir, "copy.db")]]) {
      const result = await runCli(binary, args, dir, env);
      expect({ args, stderr: result.stderr, exitCode: result.exitCode }).toEqual({
        args,
        stderr: "",
        exitCode: 0,
      });
    }
    expect(existsSync(join(dir, "jwt-secret"))).toBe(false);
    const serve = await runCli(binary, ["serve"], dir, env);
    expect(serve.exitCode).toBe(1);
    expect(serve.stderr).toStartWith(
      "kanbun: invalid configuration: JWT_SECRET: required when NODE_ENV=production",
    );
  });
});

describe("start-up errors name the variable", () => {
  test("an address this machine does not have names HOST", async () => {
    const dir = makeTempDir();
    const result = await runCli(binary, ["serve"], dir, serverEnv(dir, { HOST: "192.0.2.1" }));
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(
      'kanbun: invalid configuration: HOST: cannot listen on "192.0.2.1"',
    );
  });

  // Some container runtimes (and macOS) let every user open low ports: nothing to refuse there.
  const lowPortsOpen =
    process.platform !== "linux" ||
    Number(readFileOr("/proc/sys/net/ipv4/ip_unprivileged_port_start", "1024")) <= 80;
  test.skipIf(lowPortsOpen)("a privileged port names PORT", async () => {
    const dir = makeTempDir();
    chmodSync(dir, 0o777);
    const result = await runCli(binary, ["serve"], "/", serverEnv(dir, { PORT: "80" }), {
      prefix: UNPRIVILEGED,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toStartWith(
      "kanbun: invalid configuration: PORT: not allowed to listen on 127.0.0.1:80",
    );
  });

  test("a database folder and a database file the server may not write name DATABASE_PATH", async () => {
    const asUser = UNPRIVILEGED.length > 0;
    const prefix = UNPRIVILEGED;
    const root = makeTempDir();
    chmodSync(root, 0o755);
    const readOnlyFolder = join(root, "locked");
    mkdirSync(readOnlyFolder, { mode: 0o555 });
    const readOnlyFile = join(root, "open", "kanbun.db");
    mkdirSync(join(root, "open"), { mode: 0o755 });
    writeFileSync(readOnlyFile, "");
    chmodSync(readOnlyFile, 0o444);
    if (asUser) {
      chownSync(join(root, "open"), 65534, 65534);
      chownSync(readOnlyFile, 65534, 65534);
    }
    const cases = [
      [join(readOnlyFolder, "kanbun.db"), `the folder ${readOnlyFolder} is not writable`],
      [
        join(readOnlyFolder, "new", "kanbun.db"),
        `cannot create the folder ${join(readOnlyFolder, "new")}`,
      ],
      [readOnlyFile, `${readOnlyFile} is read-only (permission denied)`],
    ];
    for (const [path, problem] of cases) {
      const result = await runCli(
        binary,
        ["migrate"],
        "/",
        serverEnv(root, { DATABASE_PATH: path ?? "" }),
        {
          prefix,
        },
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim()).toStartWith(
        `kanbun: invalid configuration: DATABASE_PATH: ${problem}`,
      );
    }
  });
});

describe("passwords at a terminal", () => {
  test(
    "users create asks twice and never shows the password",
    async () => {
      const dir = makeTempDir();
      const env = serverEnv(dir, { JWT_SECRET });
      const { exitCode, screen } = await onTerminal(createArgs("tia"), dir, env, [
        PASSWORD,
        PASSWORD,
      ]);
      expect(screen).toContain("Password: ");
      expect(screen).toContain("Repeat the password: ");
      expect(screen).not.toContain(PASSWORD);
      expect(screen).toContain("Created user tia <tia@example.com>");
      expect(exitCode).toBe(0);

      const db = new Database(env.DATABASE_PATH, { readonly: true });
      try {
        const row = db
          .query<{ password_hash: string }, []>("SELECT password_hash FROM users")
          .get();
        expect(await Bun.password.verify(PASSWORD, row?.password_hash ?? "")).toBe(true);
      } finally {
        db.close();
      }

      const mismatch = await onTerminal(createArgs("zed"), dir, env, [PASSWORD, "Another-pass-2"]);
      expect(mismatch.exitCode).toBe(1);
      expect(mismatch.screen).toContain("kanbun: The passwords do not match");
      expect(mismatch.screen).not.toContain("Another-pass-2");
    },
    TIMEOUT,
  );
});

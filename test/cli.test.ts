import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../package.json";
import type { Deps } from "../src/deps";
import { embeddedMigrations } from "../src/platform/db/migrate";
import { appOn, cliWorkspaces, expectCliFailure, runCommand } from "./support/cli";
import { codeIn, deliverMail } from "./support/mailer";

const workspaces = cliWorkspaces("kanbun-cli-");
const root = workspaces.root;
const workspace = workspaces.next;
afterAll(workspaces.removeAll);

const run = runCommand;
const expectFailure = expectCliFailure;

function closeAfter(deps: Deps) {
  void deps.sql.close();
}

const USER = ["--username", "ada", "--email", "Ada@Example.com", "--password", "Sturdy-cli-pass-1"];

describe("help and version", () => {
  test.each([["--help"], ["-h"], ["help"]])("%s prints usage", async (flag) => {
    const result = await run([flag], {});
    expect(result.code).toBe(0);
    expect(result.error).toEqual([]);
    expect(result.info).toHaveLength(1);
    const [text = ""] = result.info;
    const words = ["Usage:", "migrate", "users create", "set-password", "set-role", "users list"];
    for (const word of [...words, "backup FILE", "restore FILE", "ALLOW_SIGNUP"]) {
      expect(text).toContain(word);
    }
  });

  test.each([["version"], ["--version"], ["-v"]])("%s prints the version", async (flag) => {
    expect(await run([flag], {})).toEqual({
      code: 0,
      info: [packageJson.version],
      error: [],
      prompts: [],
    });
  });

  test("help does not need a valid configuration", async () => {
    expect((await run(["--help"], { PORT: "abc" })).code).toBe(0);
  });
});

describe("bad invocations", () => {
  test("an unknown command is one line and exit 1", async () => {
    const line = await expectFailure(["frobnicate"], workspace().env);
    expect(line).toContain('"frobnicate"');
    expect(line).toContain("--help");
  });

  test("an unknown option is one line and exit 1", async () => {
    const line = await expectFailure(["migrate", "--frob"], workspace().env);
    expect(line).toContain("--frob");
  });

  test.each([[["users", "delete"]], [["users"]], [["users", "list", "extra"]]])(
    "%p is a usage line",
    async (argv) => {
      const line = await expectFailure(argv, workspace().env);
      expect(line).toContain("Usage: kanbun users create|set-password|list|set-role");
    },
  );

  test("a bad configuration names the variable", async () => {
    const { env } = workspace();
    const result = await run(["migrate"], { ...env, PORT: "abc" });
    expect(result.code).toBe(1);
    expect(result.info).toEqual([]);
    expect(result.error).toHaveLength(1);
    expect(result.error[0]).toStartWith("kanbun: invalid configuration: PORT: ");
    expect(existsSync(env.DATABASE_PATH)).toBe(false);
  });

  test("every bad variable gets its own line", async () => {
    const result = await run(["migrate"], { PORT: "abc", LOG_LEVEL: "loud" });
    expect(result.code).toBe(1);
    expect(result.error.map((line) => line.split(":").slice(0, 3).join(":"))).toEqual([
      "kanbun: invalid configuration: PORT",
      "kanbun: invalid configuration: LOG_LEVEL",
    ]);
  });

  test("an unusable database path is one line, not a stack trace", async () => {
    const { dir, env } = workspace();
    // A directory where the database file should be.
    const line = await expectFailure(["migrate"], {
      ...env,
      DATABASE_PATH: dir.replace(/\w+$/, ""),
    });
    expect(line.length).toBeGreaterThan("kanbun: ".length);
  });
});

describe("migrate", () => {
  test("creates the database, applies every migration, then has nothing to do", async () => {
    const { env } = workspace();
    const first = await run(["migrate"], env);
    expect(first.code).toBe(0);
    expect(first.info).toEqual([
      `Applied: ${embeddedMigrations()
        .map((m) => m.tag)
        .join(", ")}`,
    ]);
    expect(existsSync(env.DATABASE_PATH)).toBe(true);
    expect(await run(["migrate"], env)).toEqual({
      code: 0,
      info: ["The database is up to date."],
      error: [],
      prompts: [],
    });
    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    const tables = sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    sqlite.close();
    expect(tables).toEqual(expect.arrayContaining([{ name: "users" }, { name: "tasks" }]));
  });
});

describe("users create", () => {
  test("creates a verified user who can log in through the app", async () => {
    const { env } = workspace();
    const result = await run(["users", "create", ...USER], env);
    expect(result.code).toBe(0);
    expect(result.error).toEqual([]);
    expect(result.info).toHaveLength(1);
    expect(result.info[0]).toMatch(/^Created user ada <ada@example\.com> \(id \d+\)$/);

    const app = await appOn(env);
    try {
      const login = await app.login("ada@example.com", "Sturdy-cli-pass-1");
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const me = await app.request("/api/v1/users/me", { token: access_token });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        username: "ada",
        email: "ada@example.com",
        role: "user",
        email_verified: true,
      });
    } finally {
      app.close();
    }
  });

  test("hashes the password at the production cost by default", async () => {
    const { env } = workspace();
    expect((await run(["users", "create", ...USER], env, { productionCost: true })).code).toBe(0);
    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    const row = sqlite
      .query<{ password_hash: string }, []>("SELECT password_hash FROM users")
      .get();
    sqlite.close();
    expect(row?.password_hash).toStartWith("$argon2id$v=19$m=65536,t=2,");
  });

  test("--role superadmin makes a superadmin", async () => {
    const { env } = workspace();
    const result = await run(["users", "create", ...USER, "--role", "superadmin"], env);
    expect(result.code).toBe(0);
    expect(result.info[0]).toStartWith("Created superadmin ada ");
    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    const row = sqlite.query("SELECT role, email_verified FROM users").all();
    sqlite.close();
    expect(row).toEqual([{ role: "superadmin", email_verified: 1 }]);
  });

  test("the role is written with the account: no second statement can leave a plain user", async () => {
    const { env } = workspace();
    expect((await run(["migrate"], env)).code).toBe(0);
    // Any later change of the role fails, as a crash between two statements would stop it.
    const sqlite = new Database(env.DATABASE_PATH);
    sqlite.run(
      "CREATE TRIGGER no_role_change BEFORE UPDATE OF role ON users BEGIN SELECT RAISE(ABORT, 'role changed after insert'); END",
    );
    sqlite.close();
    const result = await run(["users", "create", ...USER, "--role", "admin"], env);
    expect(result).toMatchObject({ code: 0, error: [] });
    expect(result.info[0]).toStartWith("Created admin ada ");
    const app = await appOn(env);
    try {
      const login = await app.login("ada@example.com", "Sturdy-cli-pass-1");
      const { access_token } = (await login.json()) as { access_token: string };
      const me = await app.request("/api/v1/users/me", { token: access_token });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: "ada", role: "admin" });
    } finally {
      app.close();
    }
  });

  test.each([
    ["a missing --email", ["--username", "ada", "--password", "Sturdy-1-pass"], /Usage/],
    [
      "no --password and nothing on standard input",
      ["--username", "ada", "--email", "ada@example.com"],
      /No password given/,
    ],
    [
      "an unknown role",
      [...USER, "--role", "king"],
      /--role must be one of user, admin, superadmin/,
    ],
    [
      "a bad email",
      ["--username", "ada", "--email", "nope", "--password", "Sturdy-1-pass"],
      /^kanbun: email: /,
    ],
    [
      "a bad username",
      ["--username", "a d", "--email", "a@example.com", "--password", "Sturdy-1-pass"],
      /^kanbun: username: /,
    ],
    [
      "a short password",
      ["--username", "ada", "--email", "a@example.com", "--password", "short"],
      /^kanbun: password: .*8/,
    ],
    [
      "a common password",
      ["--username", "ada", "--email", "a@example.com", "--password", "password"],
      /^kanbun: password: .*common/,
    ],
  ])("%s is refused with a clear line", async (_name, args, pattern) => {
    const { env } = workspace();
    const line = await expectFailure(["users", "create", ...args], env);
    expect(line).toMatch(pattern);
  });

  test("a duplicate email or username is refused", async () => {
    const { env } = workspace();
    expect((await run(["users", "create", ...USER], env)).code).toBe(0);
    const sameEmail = [
      "--username",
      "other",
      "--email",
      "ADA@example.com",
      "--password",
      "Sturdy-2-pass",
    ];
    expect(await expectFailure(["users", "create", ...sameEmail], env)).toContain("already exists");
    const sameName = [
      "--username",
      "ADA",
      "--email",
      "new@example.com",
      "--password",
      "Sturdy-2-pass",
    ];
    expect(await expectFailure(["users", "create", ...sameName], env)).toContain("already exists");
    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    expect(sqlite.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 1 });
    sqlite.close();
  });
});

describe("users set-password", () => {
  const refusals = workspace();
  beforeAll(async () => {
    expect((await run(["users", "create", ...USER], refusals.env)).code).toBe(0);
  });

  test("changes the password and ends every session", async () => {
    const { env } = workspace();
    expect((await run(["users", "create", ...USER], env)).code).toBe(0);
    const before = await appOn(env);
    const login = await before.login("ada@example.com", "Sturdy-cli-pass-1");
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { access_token: string; refresh_token: string };
    closeAfter(before.deps);

    const result = await run(
      ["users", "set-password", "--email", "ADA@example.com", "--password", "Brand-new-pass-2"],
      env,
    );
    expect(result).toEqual({
      code: 0,
      info: ["Password changed for ada@example.com; their sessions have ended."],
      error: [],
      prompts: [],
    });

    const after = await appOn(env);
    try {
      expect((await after.request("/api/v1/users/me", { token: tokens.access_token })).status).toBe(
        401,
      );
      const refresh = await after.request("/api/v1/auth/refresh", {
        body: { refresh_token: tokens.refresh_token },
      });
      expect(refresh.status).toBe(401);
      expect((await after.login("ada@example.com", "Sturdy-cli-pass-1")).status).toBe(401);
      expect((await after.login("ada@example.com", "Brand-new-pass-2")).status).toBe(200);
    } finally {
      after.close();
    }
  });

  test("cancels a password reset under way: its token and pending code stop working", async () => {
    const { env } = workspace();
    expect((await run(["users", "create", ...USER], env)).code).toBe(0);
    const before = await appOn(env);
    const forgot = () =>
      before.request("/api/v1/auth/forgot-password", { body: { email: "ada@example.com" } });
    const codeSent = async () => {
      expect((await forgot()).status).toBe(202);
      await deliverMail(before);
      return codeIn(before.mailer.lastTo("ada@example.com")?.text ?? "");
    };
    const verify = await before.request("/api/v1/auth/verify-otp", {
      body: { email: "ada@example.com", otp: await codeSent() },
    });
    expect(verify.status).toBe(200);
    const { reset_token } = (await verify.json()) as { reset_token: string };
    const pendingCode = await codeSent();
    closeAfter(before.deps);

    const result = await run(
      ["users", "set-password", "--email", "ada@example.com", "--password", "Brand-new-pass-2"],
      env,
    );
    expect(result.code).toBe(0);

    const after = await appOn(env);
    try {
      const reset = await after.request("/api/v1/auth/reset-password", {
        body: { reset_token, new_password: "Attacker-chosen-pass-3" },
      });
      expect(reset.status).toBe(400);
      expect(reset.headers.get("content-type")).toStartWith("application/problem+json");
      const otp = await after.request("/api/v1/auth/verify-otp", {
        body: { email: "ada@example.com", otp: pendingCode },
      });
      expect(otp.status).toBe(400);
      expect((await after.login("ada@example.com", "Attacker-chosen-pass-3")).status).toBe(401);
      expect((await after.login("ada@example.com", "Brand-new-pass-2")).status).toBe(200);
    } finally {
      after.close();
    }
  });

  test.each([
    [
      "an unknown email",
      ["--email", "ghost@example.com", "--password", "Brand-new-pass-2"],
      /No user with email ghost@example\.com/,
    ],
    [
      "a username instead of an email",
      ["--email", "ada", "--password", "Brand-new-pass-2"],
      /No user with email ada/,
    ],
    ["a short password", ["--email", "ada@example.com", "--password", "short"], /password: .*8/],
    ["a common password", ["--email", "ada@example.com", "--password", "password"], /common/],
    ["a missing --email", ["--password", "Brand-new-pass-2"], /Usage: kanbun users set-password/],
    ["no --password and nothing on standard input", ["--email", "ada@example.com"], /No password/],
  ])("%s is refused", async (_name, args, pattern) => {
    const { env } = refusals;
    expect(await expectFailure(["users", "set-password", ...args], env)).toMatch(pattern);
    // Nothing changed: the original password still works.
    const app = await appOn(env);
    try {
      expect((await app.login("ada@example.com", "Sturdy-cli-pass-1")).status).toBe(200);
    } finally {
      app.close();
    }
  });
});

describe("backup", () => {
  test("writes a consistent copy that opens and holds the data", async () => {
    const { dir, env } = workspace();
    expect((await run(["users", "create", ...USER], env)).code).toBe(0);
    const file = join(dir, "backup.db");
    const result = await run(["backup", file], env);
    expect(result).toEqual({
      code: 0,
      info: [`Backup written to ${file}`],
      error: [],
      prompts: [],
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      expect(copy.query("SELECT username, email FROM users").all()).toEqual([
        { username: "ada", email: "ada@example.com" },
      ]);
      expect(copy.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({
        n: embeddedMigrations().length,
      });
    } finally {
      copy.close();
    }

    // The copy serves the app: the account logs in from it.
    const restored = await appOn({ ...env, DATABASE_PATH: file });
    try {
      expect((await restored.login("ada@example.com", "Sturdy-cli-pass-1")).status).toBe(200);
    } finally {
      restored.close();
    }
  });

  test("refuses to overwrite an existing file", async () => {
    const { dir, env } = workspace();
    expect((await run(["migrate"], env)).code).toBe(0);
    const file = join(dir, "taken.db");
    writeFileSync(file, "precious");
    expect(await expectFailure(["backup", file], env)).toContain("already exists");
    expect(await Bun.file(file).text()).toBe("precious");
  });

  test.each([
    ["no FILE", [], /Usage: kanbun backup FILE/],
    ["two FILEs", ["a.db", "b.db"], /Usage: kanbun backup FILE/],
  ])("%s is a usage error", async (_name, args, pattern) => {
    expect(await expectFailure(["backup", ...args], workspace().env)).toMatch(pattern);
  });

  test("a missing database is not backed up as an empty one", async () => {
    const { dir, env } = workspace();
    const line = await expectFailure(["backup", join(root, "nowhere.db")], env);
    expect(line).toContain("No database");
    expect(existsSync(dir)).toBe(false);
  });

  test("a target in a missing folder is one clear line", async () => {
    const { dir, env } = workspace();
    expect((await run(["migrate"], env)).code).toBe(0);
    const line = await expectFailure(["backup", join(dir, "missing", "copy.db")], env);
    expect(line).toContain("does not exist");
  });
});

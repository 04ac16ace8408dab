import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { appOn, cliWorkspaces, expectCliFailure, fakeTerminal, runCommand } from "./support/cli";

const workspaces = cliWorkspaces("kanbun-cli-users-");
afterAll(workspaces.removeAll);

const PASSWORD = "Sturdy-stdin-pass-1";
const CREATE = ["users", "create", "--username", "ada", "--email", "ada@example.com"];

async function canLogIn(env: Record<string, string>, email: string, password: string) {
  const app = await appOn(env);
  try {
    return (await app.login(email, password)).status === 200;
  } finally {
    app.close();
  }
}

function rolesIn(file: string) {
  const sqlite = new Database(file, { readonly: true });
  try {
    return sqlite.query("SELECT email, role FROM users ORDER BY id").all();
  } finally {
    sqlite.close();
  }
}

describe("a left-out --password is read from standard input", () => {
  test("users create takes the first line of a pipe, without prompting", async () => {
    const { env } = workspaces.next();
    const result = await runCommand(CREATE, env, { input: `${PASSWORD}\nsecond line\n` });
    expect(result).toMatchObject({ code: 0, error: [], prompts: [] });
    expect(await canLogIn(env, "ada@example.com", PASSWORD)).toBe(true);
  });

  test("a last line without a newline, and Windows line ends, are read as typed", async () => {
    const { env } = workspaces.next();
    expect((await runCommand(CREATE, env, { input: `${PASSWORD}\r\n` })).code).toBe(0);
    const setPassword = ["users", "set-password", "--email", "ada@example.com"];
    const result = await runCommand(setPassword, env, { input: "Brand-new-pass-2" });
    expect(result).toMatchObject({ code: 0, error: [] });
    expect(await canLogIn(env, "ada@example.com", "Brand-new-pass-2")).toBe(true);
  });

  test("a piped password is checked like any other", async () => {
    const { env } = workspaces.next();
    expect(await expectCliFailure(CREATE, env, { input: "short\n" })).toBe(
      "kanbun: password: Must be 8–128 characters",
    );
    expect(await expectCliFailure(CREATE, env, { input: "password\n" })).toMatch(/common/);
    // An empty first line is no password.
    expect(await expectCliFailure(CREATE, env, { input: "\nSturdy-later-line\n" })).toBe(
      "kanbun: password: Must be 8–128 characters",
    );
  });

  test("bad arguments are refused before anyone is asked for a password", async () => {
    const { env } = workspaces.next();
    const terminal = fakeTerminal();
    const args = ["users", "create", "--username", "a d", "--email", "ada@example.com"];
    const result = await runCommand(args, env, { input: terminal });
    expect(result).toMatchObject({ code: 1, prompts: [] });
    expect(result.error).toEqual([
      "kanbun: username: Must be 3–32 characters: letters, digits, _ . -",
    ]);
    expect(terminal.rawModes).toEqual([]);
  });

  test("on a terminal: prompts twice, echoes nothing, edits keys, and leaves raw mode", async () => {
    const { env } = workspaces.next();
    const terminal = fakeTerminal();
    const echoed: string[] = [];
    terminal.on("data", (chunk) => echoed.push(String(chunk)));
    const running = runCommand(CREATE, env, { input: terminal });
    await Bun.sleep(20);
    // A typo fixed with backspace, as a person would.
    terminal.write(`${PASSWORD}x\x7f\r`);
    await Bun.sleep(20);
    terminal.write(`${PASSWORD}\r`);
    const result = await running;
    expect(result).toMatchObject({ code: 0, error: [] });
    expect(result.prompts).toEqual(["Password: ", "\n", "Repeat the password: ", "\n"]);
    expect(result.info.join("\n")).not.toContain(PASSWORD);
    expect(terminal.rawModes[0]).toBe(true);
    expect(terminal.isRaw).toBe(false);
    expect(await canLogIn(env, "ada@example.com", PASSWORD)).toBe(true);
    expect(echoed.join("")).not.toContain("Password");
  });

  test("on a terminal: two different passwords are refused", async () => {
    const { env } = workspaces.next();
    const terminal = fakeTerminal();
    const running = runCommand(CREATE, env, { input: terminal });
    await Bun.sleep(20);
    terminal.write(`${PASSWORD}\r`);
    await Bun.sleep(20);
    terminal.write("Another-pass-2\r");
    expect((await running).error).toEqual(["kanbun: The passwords do not match"]);
    expect(terminal.isRaw).toBe(false);
  });

  test("on a terminal: Ctrl-C cancels and Ctrl-D gives no password", async () => {
    const { env } = workspaces.next();
    const interrupted = fakeTerminal();
    const first = runCommand(CREATE, env, { input: interrupted });
    await Bun.sleep(20);
    interrupted.write("Sturdy\x03");
    expect((await first).error).toEqual(["kanbun: Cancelled"]);
    expect(interrupted.isRaw).toBe(false);

    const ended = fakeTerminal();
    const second = runCommand(["users", "set-password", "--email", "x@example.com"], env, {
      input: ended,
    });
    await Bun.sleep(20);
    ended.write("\x04");
    expect((await second).error[0]).toStartWith("kanbun: No password given");
  });
});

describe("users list", () => {
  test("an empty database says so", async () => {
    const { env } = workspaces.next();
    expect(await runCommand(["users", "list"], env)).toMatchObject({
      code: 0,
      info: ["No users yet: create one with kanbun users create"],
    });
  });

  test("prints every account in aligned columns, oldest first", async () => {
    const { env } = workspaces.next();
    const create = (name: string, role: string) =>
      runCommand(
        ["users", "create", "--username", name, "--email", `${name}@example.com`, "--role", role],
        env,
        { input: `${PASSWORD}\n` },
      );
    expect((await create("root", "superadmin")).code).toBe(0);
    expect((await create("bob", "user")).code).toBe(0);
    const sqlite = new Database(env.DATABASE_PATH);
    sqlite.run("UPDATE users SET is_active = 0 WHERE username = 'bob'");
    sqlite.close();

    const { code, info } = await runCommand(["users", "list"], env);
    expect(code).toBe(0);
    expect(info).toHaveLength(3);
    expect(info[0]).toBe("ID  USERNAME  EMAIL             ROLE        ACTIVE  VERIFIED  CREATED");
    expect(info[1]).toMatch(
      /^1 {3}root {6}root@example\.com {2}superadmin {2}yes {5}yes {7}\d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );
    expect(info[2]).toMatch(/^2 {3}bob {7}bob@example\.com {3}user {8}no {6}yes {7}\d{4}-/);
    // Nothing secret is printed.
    expect(info.join("\n")).not.toContain("argon2");
  });
});

describe("users set-role", () => {
  async function withUsers() {
    const { env } = workspaces.next();
    for (const [name, role] of [
      ["root", "superadmin"],
      ["ada", "user"],
    ] as const) {
      const args = ["users", "create", "--username", name, "--email", `${name}@example.com`];
      expect(
        (await runCommand([...args, "--role", role], env, { input: `${PASSWORD}\n` })).code,
      ).toBe(0);
    }
    return env;
  }

  test("promotes at once: the user's next request carries the new role", async () => {
    const env = await withUsers();
    const app = await appOn(env);
    try {
      const login = await app.login("ada@example.com", PASSWORD);
      const { access_token } = (await login.json()) as { access_token: string };
      expect((await app.request("/api/v1/admin/users", { token: access_token })).status).toBe(403);
      const result = await runCommand(
        ["users", "set-role", "--email", "ADA@example.com", "--role", "admin"],
        env,
      );
      expect(result).toMatchObject({ code: 0, info: ["ada@example.com is now admin (was user)."] });
      expect((await app.request("/api/v1/admin/users", { token: access_token })).status).toBe(200);
    } finally {
      app.close();
    }
  });

  test("the same role again changes nothing", async () => {
    const env = await withUsers();
    const result = await runCommand(
      ["users", "set-role", "--email", "ada@example.com", "--role", "user"],
      env,
    );
    expect(result.info).toEqual(["ada@example.com is already user; nothing changed."]);
  });

  test("the last superadmin keeps the role; with a second one, the first may step down", async () => {
    const env = await withUsers();
    const demote = ["users", "set-role", "--email", "root@example.com", "--role", "admin"];
    expect(await expectCliFailure(demote, env)).toBe(
      "kanbun: The last active superadmin cannot be demoted, deactivated or deleted",
    );
    expect(await rolesIn(env.DATABASE_PATH)).toEqual([
      { email: "root@example.com", role: "superadmin" },
      { email: "ada@example.com", role: "user" },
    ]);
    const promote = ["users", "set-role", "--email", "ada@example.com", "--role", "superadmin"];
    expect((await runCommand(promote, env)).code).toBe(0);
    expect((await runCommand(demote, env)).code).toBe(0);
    expect(await rolesIn(env.DATABASE_PATH)).toEqual([
      { email: "root@example.com", role: "admin" },
      { email: "ada@example.com", role: "superadmin" },
    ]);
  });

  test.each([
    ["no --role", ["--email", "ada@example.com"], /^kanbun: Usage: kanbun users set-role/],
    ["no --email", ["--role", "admin"], /^kanbun: Usage: kanbun users set-role/],
    ["an unknown role", ["--email", "ada@example.com", "--role", "king"], /--role must be one of/],
    [
      "an unknown email",
      ["--email", "nobody@example.com", "--role", "admin"],
      /No user with email/,
    ],
    ["a username for an email", ["--email", "ada", "--role", "admin"], /No user with email ada$/],
  ])("%s is refused", async (_name, args, pattern) => {
    const env = await withUsers();
    expect(await expectCliFailure(["users", "set-role", ...args], env)).toMatch(pattern);
    expect(await rolesIn(env.DATABASE_PATH)).toEqual([
      { email: "root@example.com", role: "superadmin" },
      { email: "ada@example.com", role: "user" },
    ]);
  });
});

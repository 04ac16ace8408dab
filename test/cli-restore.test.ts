import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { migrationJournal } from "../drizzle";
import { openDatabase } from "../src/platform/db/client";
import { cliWorkspaces, expectCliFailure, runCommand } from "./support/cli";

const workspaces = cliWorkspaces("kanbun-cli-restore-");
afterAll(workspaces.removeAll);

const userArgs = (name: string) => [
  "users",
  "create",
  "--username",
  name,
  "--email",
  `${name}@example.com`,
  "--password",
  `Sturdy-${name}-pass`,
];

function usernames(file: string): string[] {
  const sqlite = new Database(file, { readonly: true });
  try {
    return sqlite
      .query<{ username: string }, []>("SELECT username FROM users ORDER BY id")
      .all()
      .map((row) => row.username);
  } finally {
    sqlite.close();
  }
}

/** A database with ada, a backup of it, then bob added after the backup. */
async function databaseWithBackup() {
  const { dir, env } = workspaces.next();
  expect((await runCommand(userArgs("ada"), env)).code).toBe(0);
  const backup = join(dir, "ada.backup");
  expect((await runCommand(["backup", backup], env)).code).toBe(0);
  expect((await runCommand(userArgs("bob"), env)).code).toBe(0);
  return { dir, env, backup };
}

const MIGRATION_COUNT = migrationJournal.entries.length;

const filesIn = (dir: string) => readdirSync(dir).sort();

describe("restore", () => {
  test("puts the backup in place and keeps the database it replaced", async () => {
    const { dir, env, backup } = await databaseWithBackup();
    const result = await runCommand(["restore", backup], env);
    expect(result.error).toEqual([]);
    expect(result.code).toBe(0);
    const kept = filesIn(dir).find((name) => name.startsWith("kanbun.db.pre-restore-"));
    expect(kept).toMatch(/^kanbun\.db\.pre-restore-\d{4}-\d\d-\d\dT[\d-]+Z\.bak$/);
    expect(result.info).toEqual([
      `${backup} is sound: integrity ok, 1 user(s), ${MIGRATION_COUNT} of ${MIGRATION_COUNT} migrations applied.`,
      `Copied the current database to ${join(dir, kept ?? "")}.`,
      `Restored ${backup} to ${env.DATABASE_PATH}. Start the server: it applies any newer migrations.`,
    ]);
    expect(await usernames(env.DATABASE_PATH)).toEqual(["ada"]);
    expect(await usernames(join(dir, kept ?? ""))).toEqual(["ada", "bob"]);
    expect(statSync(env.DATABASE_PATH).mode & 0o777).toBe(0o600);
    // Nothing half-done is left beside it: no temporary file, no old journal.
    expect(filesIn(dir)).toEqual(["ada.backup", "kanbun.db", kept ?? ""].sort());
    // The backup itself is untouched and can be restored again.
    expect(await usernames(backup)).toEqual(["ada"]);
  });

  test("an old write-ahead log left by a crash is not replayed into the restored file", async () => {
    const { env, backup } = await databaseWithBackup();
    // A server killed mid-run leaves its -wal behind, holding writes not yet in the file.
    const crash = Bun.spawnSync([
      process.execPath,
      "-e",
      `const { Database } = require("bun:sqlite");
       const db = new Database(process.argv[1]);
       db.run("PRAGMA journal_mode = WAL");
       db.run("PRAGMA wal_autocheckpoint = 0");
       db.run("UPDATE users SET full_name = 'written before the crash'");
       process.kill(process.pid, "SIGKILL");`,
      env.DATABASE_PATH,
    ]);
    expect(crash.signalCode).toBe("SIGKILL");
    expect(statSync(`${env.DATABASE_PATH}-wal`).size).toBeGreaterThan(0);

    expect((await runCommand(["restore", backup], env)).code).toBe(0);
    expect(existsSync(`${env.DATABASE_PATH}-wal`)).toBe(false);
    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    try {
      expect(sqlite.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      expect(sqlite.query("SELECT username, full_name FROM users").all()).toEqual([
        { username: "ada", full_name: null },
      ]);
    } finally {
      sqlite.close();
    }
  });

  test("refuses while the database is open, as a running server holds it", async () => {
    const { dir, env, backup } = await databaseWithBackup();
    const server = openDatabase(env.DATABASE_PATH);
    try {
      server.query("SELECT count(*) FROM users").get();
      const before = filesIn(dir);
      const line = await expectCliFailure(["restore", backup], env);
      expect(line).toBe(
        `kanbun: ${env.DATABASE_PATH} is in use: stop the server (and any other kanbun command) first, then restore`,
      );
      expect(filesIn(dir)).toEqual(before);
      // The server carries on with its data.
      expect(server.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 2 });
    } finally {
      server.close();
    }
    expect((await runCommand(["restore", backup], env)).code).toBe(0);
    expect(await usernames(env.DATABASE_PATH)).toEqual(["ada"]);
  });

  test("restores into a new installation: folder and file owner-only", async () => {
    const { backup } = await databaseWithBackup();
    const { dir, env } = workspaces.next();
    const result = await runCommand(["restore", backup], env);
    expect(result.code).toBe(0);
    expect(result.info).toHaveLength(2);
    expect(await usernames(env.DATABASE_PATH)).toEqual(["ada"]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(env.DATABASE_PATH).mode & 0o777).toBe(0o600);
  });
});

describe("restore refuses what it cannot vouch for, changing nothing", () => {
  /** Expects the refusal line to match and the live database to still hold ada and bob. */
  async function expectRefused(args: string[], pattern: RegExp, setup?: (dir: string) => void) {
    const { dir, env } = await databaseWithBackup();
    setup?.(dir);
    const before = filesIn(dir);
    expect(
      await expectCliFailure(["restore", ...args.map((a) => a.replace("$DIR", dir))], env),
    ).toMatch(pattern);
    expect(filesIn(dir)).toEqual(before);
    expect(await usernames(env.DATABASE_PATH)).toEqual(["ada", "bob"]);
  }

  test("no FILE, or two", async () => {
    await expectRefused([], /^kanbun: Usage: kanbun restore FILE$/);
    await expectRefused(["a", "b"], /^kanbun: Usage: kanbun restore FILE$/);
  });

  test("a missing file", async () => {
    await expectRefused(["$DIR/missing.db"], /missing\.db does not exist$/);
  });

  test("the database itself", async () => {
    await expectRefused(["$DIR/kanbun.db"], /is the database itself/);
  });

  test("a file that is not a database", async () => {
    await expectRefused(["$DIR/notes.txt"], /notes\.txt cannot be read as a database \(/, (dir) =>
      writeFileSync(join(dir, "notes.txt"), "hello ".repeat(400)),
    );
  });

  test("a damaged database", async () => {
    await expectRefused(
      ["$DIR/ada.backup"],
      /ada\.backup (is damaged|cannot be read as a database)/,
      (dir) => {
        const file = join(dir, "ada.backup");
        const bytes = new Uint8Array(Bun.file(file).size);
        bytes.set(new Uint8Array(require("node:fs").readFileSync(file)));
        // Scribble over the second page onwards, past the header.
        bytes.fill(0x5a, 4096 + 8, bytes.length - 4096);
        writeFileSync(file, bytes);
      },
    );
  });

  test("another application's SQLite database", async () => {
    await expectRefused(["$DIR/other.db"], /other\.db is not a Kanbun database/, (dir) => {
      const other = new Database(join(dir, "other.db"));
      other.run("CREATE TABLE notes (body TEXT)");
      other.close();
    });
  });

  test("a database from a newer release", async () => {
    await expectRefused(["$DIR/ada.backup"], /written by a newer Kanbun/, (dir) => {
      const backup = new Database(join(dir, "ada.backup"));
      backup.run(
        "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', 99999999999999)",
      );
      backup.close();
    });
  });

  test("a DATABASE_PATH that is a folder is named, as every command names it", async () => {
    const { dir, env, backup } = await databaseWithBackup();
    const folder = join(dir, "data");
    mkdirSync(folder);
    const before = filesIn(dir);
    const line = await expectCliFailure(["restore", backup], { ...env, DATABASE_PATH: folder });
    expect(line).toBe(
      `kanbun: invalid configuration: DATABASE_PATH: ${folder} is a folder; give the path of a database file, such as ${join(folder, "kanbun.db")}`,
    );
    expect(filesIn(dir)).toEqual(before);
    expect(filesIn(folder)).toEqual([]);
  });

  test("an in-memory DATABASE_PATH", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir);
    const line = await expectCliFailure(["restore", join(dir, "x.db")], {
      ...env,
      DATABASE_PATH: ":memory:",
    });
    expect(line).toContain("DATABASE_PATH is :memory:");
  });
});

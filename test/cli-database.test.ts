/**
 * The database on disk as an operator meets it: owner-only files, commands that need no signing
 * secret, clear lines for unusable paths, safety copies before migrations, and restore.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { openDatabase } from "../src/platform/db/client";
import { SAFETY_COPIES_KEPT, writeDatabaseCopy } from "../src/platform/db/copies";
import { embeddedMigrations, migrate } from "../src/platform/db/migrate";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { appOn, cliWorkspaces, expectCliFailure, runCommand } from "./support/cli";

const workspaces = cliWorkspaces("kanbun-cli-db-");
afterAll(workspaces.removeAll);

const PASSWORD = "Sturdy-cli-pass-1";
const USER = ["--username", "ada", "--email", "ada@example.com", "--password", PASSWORD];
const MIGRATIONS = embeddedMigrations();

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Runs `body` with the process umask at 0, so only the modes the code asks for remain. */
async function withOpenUmask<T>(body: () => T | Promise<T>): Promise<T> {
  const previous = process.umask(0);
  try {
    return await body();
  } finally {
    process.umask(previous);
  }
}

/** A database file at an older schema, holding one user, as an earlier release left it. */
async function olderDatabase(env: { DATABASE_PATH: string }, applied: number) {
  const sqlite = openDatabase(env.DATABASE_PATH);
  try {
    migrate(sqlite, MIGRATIONS.slice(0, applied));
    const hash = await Bun.password.hash(PASSWORD, {
      algorithm: "argon2id",
      ...TEST_PASSWORD_COST,
    });
    sqlite
      .query(
        `INSERT INTO users (username, email, password_hash, role, created_at, updated_at)
         VALUES ('ada', 'ada@example.com', ?, 'user', ?, ?)`,
      )
      .run(hash, Date.now(), Date.now());
  } finally {
    sqlite.close();
  }
}

function migrationCount(file: string): number {
  const sqlite = new Database(file, { readonly: true });
  try {
    return sqlite.query<{ n: number }, []>("SELECT count(*) AS n FROM __drizzle_migrations").get()
      ?.n as number;
  } finally {
    sqlite.close();
  }
}

describe("files are owner-only", () => {
  test("a new database, its -wal and -shm and its folder, whatever the umask", async () => {
    const { dir, env } = workspaces.next();
    await withOpenUmask(() => {
      const sqlite = openDatabase(join(dir, "deeper", "kanbun.db"));
      try {
        migrate(sqlite);
        expect(modeOf(dir)).toBe(0o700);
        expect(modeOf(join(dir, "deeper"))).toBe(0o700);
        for (const suffix of ["", "-wal", "-shm"]) {
          expect(modeOf(join(dir, "deeper", `kanbun.db${suffix}`))).toBe(0o600);
        }
      } finally {
        sqlite.close();
      }
    });
    // Through the command too.
    await withOpenUmask(async () => {
      expect((await runCommand(["migrate"], env)).code).toBe(0);
    });
    expect(modeOf(env.DATABASE_PATH)).toBe(0o600);
  });

  test("an existing database keeps the mode its operator gave it", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir);
    writeFileSync(env.DATABASE_PATH, "");
    const before = modeOf(env.DATABASE_PATH);
    expect((await runCommand(["migrate"], env)).code).toBe(0);
    expect(modeOf(env.DATABASE_PATH)).toBe(before);
  });

  test("a backup is created owner-only and is never chmod-ed afterwards", async () => {
    const { dir, env } = workspaces.next();
    expect((await runCommand(["migrate"], env)).code).toBe(0);
    const file = join(dir, "copy.db");
    // With umask 0 SQLite would create the copy 0644; only a file created 0600 ends up so.
    const result = await withOpenUmask(() => runCommand(["backup", file], env));
    expect(result.code).toBe(0);
    expect(modeOf(file)).toBe(0o600);
  });

  test("a copy is written into a file it creates itself, never into an existing one", () => {
    const { dir } = workspaces.next();
    const sqlite = openDatabase(join(dir, "kanbun.db"));
    try {
      const taken = join(dir, "taken.db");
      writeFileSync(taken, "");
      expect(() => writeDatabaseCopy(sqlite, taken)).toThrow(/EEXIST/);
      // A copy that fails leaves nothing behind.
      expect(() => writeDatabaseCopy(sqlite, join(dir, "no-such-folder", "x.db"))).toThrow();
      expect(readdirSync(dir).filter((name) => !name.startsWith("kanbun.db"))).toEqual([
        "taken.db",
      ]);
    } finally {
      sqlite.close();
    }
  });
});

describe("commands that sign nothing need no JWT_SECRET", () => {
  test("migrate, users, backup and restore run in production without it and write no secret", async () => {
    const { dir, env } = workspaces.next();
    const production = { ...env, NODE_ENV: "production", JWT_SECRET: "" };
    const steps = [
      ["migrate"],
      ["users", "create", ...USER],
      ["users", "set-password", "--email", "ada@example.com", "--password", "Brand-new-pass-2"],
      ["users", "set-role", "--email", "ada@example.com", "--role", "superadmin"],
      ["users", "list"],
      ["backup", join(dir, "copy.db")],
      ["restore", join(dir, "copy.db")],
    ];
    for (const argv of steps) {
      const result = await runCommand(argv, production);
      expect({ argv, error: result.error, code: result.code }).toEqual({
        argv,
        error: [],
        code: 0,
      });
    }
    expect(existsSync(join(dir, "jwt-secret"))).toBe(false);
  });

  test("serve still refuses production without JWT_SECRET, creating nothing", async () => {
    const { dir, env } = workspaces.next();
    const line = await expectCliFailure(["serve"], {
      ...env,
      NODE_ENV: "production",
      JWT_SECRET: "",
    });
    expect(line).toStartWith(
      "kanbun: invalid configuration: JWT_SECRET: required when NODE_ENV=production",
    );
    expect(line).toContain("openssl rand");
    expect(existsSync(dir)).toBe(false);
  });
});

describe("an unusable DATABASE_PATH is one line naming it", () => {
  test("a folder", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir, { recursive: true });
    const line = await expectCliFailure(["migrate"], { ...env, DATABASE_PATH: dir });
    expect(line).toBe(
      `kanbun: invalid configuration: DATABASE_PATH: ${dir} is a folder; give the path of a database file, such as ${join(dir, "kanbun.db")}`,
    );
  });

  test("a path through a file", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "plain"), "x");
    const line = await expectCliFailure(["migrate"], {
      ...env,
      DATABASE_PATH: join(dir, "plain", "kanbun.db"),
    });
    expect(line).toStartWith(
      "kanbun: invalid configuration: DATABASE_PATH: cannot create the folder",
    );
    expect(line).toContain("is a file, not a folder");
  });

  test("a file that is not a database", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      env.DATABASE_PATH,
      "this is not sqlite, just long enough to have a header".repeat(20),
    );
    const line = await expectCliFailure(["users", "list"], env);
    expect(line).toStartWith(
      `kanbun: invalid configuration: DATABASE_PATH: cannot open ${env.DATABASE_PATH} as a database (`,
    );
  });
});

describe("a safety copy before migrations", () => {
  test("migrate copies a database that holds data, owner-only, as it was before", async () => {
    const { env } = workspaces.next();
    await olderDatabase(env, 1);
    const pending = MIGRATIONS[1]?.tag;
    const copy = `${env.DATABASE_PATH}.pre-${pending}.bak`;

    const result = await withOpenUmask(() => runCommand(["migrate"], env));
    expect(result.info).toEqual([
      `Copied the database to ${copy} before migrating it.`,
      `Applied: ${MIGRATIONS.slice(1)
        .map((m) => m.tag)
        .join(", ")}`,
    ]);
    expect(modeOf(copy)).toBe(0o600);
    expect(await migrationCount(copy)).toBe(1);
    expect(await migrationCount(env.DATABASE_PATH)).toBe(MIGRATIONS.length);

    // The copy is a database the server can run on: restore it, upgrade it again, and the
    // account is there.
    expect((await runCommand(["restore", copy], env)).code).toBe(0);
    expect(await migrationCount(env.DATABASE_PATH)).toBe(1);
    expect((await runCommand(["migrate"], env)).code).toBe(0);
    const app = await appOn(env);
    try {
      expect((await app.login("ada@example.com", PASSWORD)).status).toBe(200);
    } finally {
      app.close();
    }
  });

  test("a new database and an up-to-date one get no copy", async () => {
    const { dir, env } = workspaces.next();
    expect((await runCommand(["migrate"], env)).info).toHaveLength(1);
    expect((await runCommand(["migrate"], env)).info).toEqual(["The database is up to date."]);
    expect(readdirSync(dir).filter((name) => name.endsWith(".bak"))).toEqual([]);
  });

  test("user commands that migrate copy first too", async () => {
    const { env } = workspaces.next();
    await olderDatabase(env, 2);
    const result = await runCommand(["users", "list"], env);
    expect(result.info[0]).toBe(
      `Copied the database to ${env.DATABASE_PATH}.pre-${MIGRATIONS[2]?.tag}.bak before migrating it.`,
    );
    expect(result.info[1]).toStartWith("ID  USERNAME");
  });

  test(`only the newest ${SAFETY_COPIES_KEPT} copies are kept`, async () => {
    const { dir, env } = workspaces.next();
    await olderDatabase(env, 1);
    const old = ["0000_a", "0000_b", "0000_c"].map((tag, index) => {
      const file = `${env.DATABASE_PATH}.pre-${tag}.bak`;
      writeFileSync(file, "old");
      const seconds = Date.now() / 1000 - 3600 * (3 - index);
      utimesSync(file, seconds, seconds);
      return basename(file);
    });
    // Another database's copies in the same folder are not this database's to prune.
    writeFileSync(join(dir, "other.db.pre-0000_x.bak"), "other");
    expect((await runCommand(["migrate"], env)).code).toBe(0);
    const copies = readdirSync(dir)
      .filter((name) => name.endsWith(".bak"))
      .sort();
    expect(copies).toEqual(
      [
        ...old.slice(1),
        `kanbun.db.pre-${MIGRATIONS[1]?.tag}.bak`,
        "other.db.pre-0000_x.bak",
      ].sort(),
    );
  });
});

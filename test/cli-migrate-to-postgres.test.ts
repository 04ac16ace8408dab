/**
 * `kanbun migrate-to-postgres` refusing what it cannot copy, before any server is contacted:
 * one line, exit 1, no password echoed, and the SQLite file left exactly as it was. The copy
 * itself, and the refusals that need a server, are in test/postgres/migrate-to-postgres.pg.ts.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeCopy } from "../src/cli/migrate-to-postgres";
import { openDatabase } from "../src/platform/db/client";
import { embeddedMigrations, migrate } from "../src/platform/db/migrate";
import { cliWorkspaces, expectCliFailure, runCommand } from "./support/cli";

const workspaces = cliWorkspaces("kanbun-cli-pg-");
afterAll(workspaces.removeAll);

const SECRET = "hunter2-not-to-be-shown";
const TARGET = `postgres://kanbun:${SECRET}@127.0.0.1:1/kanbun`;
const MIGRATIONS = embeddedMigrations();

/** A workspace whose database file holds the given number of migrations (all by default). */
function withDatabase(applied = MIGRATIONS.length) {
  const { dir, env } = workspaces.next();
  const sqlite = openDatabase(env.DATABASE_PATH);
  try {
    migrate(sqlite, MIGRATIONS.slice(0, applied));
  } finally {
    sqlite.close();
  }
  return { dir, env };
}

async function refusal(argv: string[], env: Record<string, string>) {
  const line = await expectCliFailure(["migrate-to-postgres", ...argv], env);
  expect(line).not.toContain(SECRET);
  return line;
}

describe("kanbun migrate-to-postgres refuses", () => {
  test("without a URL: neither --to nor DATABASE_URL", async () => {
    const { env } = withDatabase();
    expect(await refusal([], env)).toBe(
      "kanbun: Usage: kanbun migrate-to-postgres [--to postgres://…]: give the PostgreSQL URL, or set DATABASE_URL",
    );
  });

  test("a stray argument", async () => {
    const { env } = withDatabase();
    expect(await refusal(["somewhere", "--to", TARGET], env)).toBe(
      "kanbun: Usage: kanbun migrate-to-postgres [--to postgres://…]",
    );
  });

  test.each([
    ["not a URL", `//kanbun:${SECRET}@db/kanbun`, "--to: not a URL; give one such as postgres://"],
    ["another database", `mysql://root:${SECRET}@db/kanbun`, "--to: mysql:// is not PostgreSQL"],
    ["no server", `postgres:///kanbun?password=${SECRET}`, "--to: the URL names no server"],
  ])("a URL that is %s, without echoing it", async (_, url, message) => {
    const { env } = withDatabase();
    expect(await refusal(["--to", url], env)).toStartWith(`kanbun: ${message}`);
  });

  test("a bad DATABASE_URL is named as such; --to wins over a good one", async () => {
    const { env } = withDatabase();
    const databaseUrl = `http://user:${SECRET}@db/kanbun`;
    // The configuration reads DATABASE_URL for every command, so it is refused before this one runs.
    expect(await refusal([], { ...env, DATABASE_URL: databaseUrl })).toStartWith(
      "kanbun: invalid configuration: DATABASE_URL: http:// is not PostgreSQL",
    );
    // --to is used instead: it gets past the URL check to the server, which is not there.
    const line = await refusal(["--to", "ftp://db/x"], { ...env, DATABASE_URL: TARGET });
    expect(line).toStartWith("kanbun: --to: ftp:// is not PostgreSQL");
  });

  test("DATABASE_PATH=:memory:", async () => {
    const { env } = workspaces.next();
    expect(await refusal(["--to", TARGET], { ...env, DATABASE_PATH: ":memory:" })).toBe(
      "kanbun: DATABASE_PATH is :memory:; there is no database file to copy",
    );
  });

  test("a database file that does not exist, without creating it", async () => {
    const { env } = workspaces.next();
    expect(await refusal(["--to", TARGET], env)).toBe(
      `kanbun: No database at ${env.DATABASE_PATH} (DATABASE_PATH) to copy`,
    );
    expect(existsSync(env.DATABASE_PATH)).toBe(false);
  });

  test("a folder", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(join(dir, "kanbun.db"), { recursive: true });
    expect(await refusal(["--to", TARGET], env)).toBe(
      `kanbun: ${env.DATABASE_PATH} (DATABASE_PATH) is not a file`,
    );
  });

  test("a file that is not a database, left as it was", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir, { recursive: true });
    const junk = "not a database ".repeat(100);
    writeFileSync(env.DATABASE_PATH, junk);
    expect(await refusal(["--to", TARGET], env)).toBe(
      `kanbun: ${env.DATABASE_PATH} cannot be read as a Kanbun database (file is not a database)`,
    );
    expect(readFileSync(env.DATABASE_PATH, "utf8")).toBe(junk);
  });

  test("a SQLite database of something else", async () => {
    const { dir, env } = workspaces.next();
    mkdirSync(dir, { recursive: true });
    const other = new Database(env.DATABASE_PATH, { create: true });
    other.run("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    other.close();
    expect(await refusal(["--to", TARGET], env)).toBe(
      `kanbun: ${env.DATABASE_PATH} is not a Kanbun database (it has no users or migrations table)`,
    );
  });

  test("a database with pending migrations, which stay pending", async () => {
    const { env } = withDatabase(MIGRATIONS.length - 2);
    const line = await refusal(["--to", TARGET], env);
    expect(line).toBe(
      `kanbun: ${env.DATABASE_PATH} has 2 pending migration(s) (${MIGRATIONS.at(-2)?.tag}…): run kanbun migrate with this binary first, then copy`,
    );
    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    const applied = sqlite.query("SELECT count(*) AS n FROM __drizzle_migrations").get();
    sqlite.close();
    expect(applied).toEqual({ n: MIGRATIONS.length - 2 });
  });

  test("a database written by a newer Kanbun", async () => {
    const { env } = withDatabase();
    const sqlite = new Database(env.DATABASE_PATH);
    sqlite.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ?)", [
      (MIGRATIONS.at(-1)?.when ?? 0) + 1,
    ]);
    sqlite.close();
    expect(await refusal(["--to", TARGET], env)).toBe(
      `kanbun: ${env.DATABASE_PATH} was written by a newer Kanbun; copy it with that version's kanbun migrate-to-postgres`,
    );
  });
});

describe("kanbun migrate-to-postgres explains itself", () => {
  test("--help lists the command", async () => {
    const { info } = await runCommand(["--help"], {});
    expect(info.join("\n")).toContain("kanbun migrate-to-postgres [--to postgres://…]");
  });

  test("the report: rows per table, the total, the time and the next step without the password", () => {
    const url = new URL(`postgres://kanbun:${SECRET}@db.example.com/kanbun`);
    const lines = describeCopy(
      {
        tables: [
          { name: "users", rows: 3 },
          { name: "notifications", rows: 1250 },
        ],
        total: 1253,
        migrations: ["0000_search_text", "0001_schema"],
        milliseconds: 1234.5,
      },
      "/srv/kanbun.db",
      url,
    );
    expect(lines).toEqual([
      "Copied /srv/kanbun.db to PostgreSQL on db.example.com:5432/kanbun (applied 2 migration(s), then copied in one transaction):",
      "  users             3",
      "  notifications  1250",
      "  total          1253",
      "Row counts verified on both sides in 1.23 s.",
      "Next: stop the server on SQLite if it still runs, and start Kanbun with DATABASE_URL=postgres://kanbun:***@db.example.com/kanbun (the URL given here). The SQLite file is unchanged: keep it as a backup.",
    ]);
  });

  test("a long copy is timed in tenths of a second, and an up-to-date target says so", () => {
    const [first = "", ...rest] = describeCopy(
      { tables: [], total: 0, migrations: [], milliseconds: 61_234 },
      "/srv/kanbun.db",
      new URL("postgresql://db/kanbun"),
    );
    expect(first).toEndWith("(copied in one transaction):");
    expect(rest).toContain("Row counts verified on both sides in 61.2 s.");
  });
});

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cliWorkspaces, expectCliFailure, runCommand } from "./support/cli";

// What the SQLite-only commands say on PostgreSQL, and DATABASE_URL's checks: none of this needs
// a server (the commands refuse before connecting), so it runs in every suite.
const workspaces = cliWorkspaces("kanbun-cli-pg-");
const SECRET = "s3cret-not-for-logs";
const URL_WITH_PASSWORD = `postgres://kanbun:${SECRET}@db.example.com:5433/kanbun_prod`;

describe("SQLite-only commands on PostgreSQL", () => {
  test("backup names the pg_dump command for the server, without the password, and writes nothing", async () => {
    const { dir, env } = workspaces.next();
    const file = join(dir, "nightly dump.pgc");
    const line = await expectCliFailure(["backup", file], {
      ...env,
      DATABASE_URL: URL_WITH_PASSWORD,
    });
    expect(line).toBe(
      `kanbun: backup copies the SQLite file; on PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file='${file}' "postgres://kanbun@db.example.com:5433/kanbun_prod"`,
    );
    expect(line).not.toContain(SECRET);
    expect(existsSync(file)).toBe(false);
    // No file named: the example names one.
    expect(
      await expectCliFailure(["backup"], { ...env, DATABASE_URL: URL_WITH_PASSWORD }),
    ).toContain("--file=kanbun.dump ");
  });

  test("restore names pg_restore (or psql), without the password", async () => {
    const { env } = workspaces.next();
    const line = await expectCliFailure(["restore", "kanbun.dump"], {
      ...env,
      DATABASE_URL: URL_WITH_PASSWORD.replace("postgres:", "postgresql:"),
    });
    expect(line).toBe(
      `kanbun: restore replaces the SQLite file; on PostgreSQL use pg_restore (or psql for a plain SQL dump), e.g. pg_restore --clean --if-exists --dbname="postgresql://kanbun@db.example.com:5433/kanbun_prod" kanbun.dump`,
    );
    expect(line).not.toContain(SECRET);
  });
});

describe("DATABASE_URL", () => {
  test("a URL that is not PostgreSQL is a configuration error naming it, for every command", async () => {
    const { env } = workspaces.next();
    for (const command of [["migrate"], ["users", "list"], ["serve"]]) {
      const result = await runCommand(command, {
        ...env,
        DATABASE_URL: `mysql://root:${SECRET}@db/kanbun`,
      });
      expect(result.code).toBe(1);
      expect(result.error).toEqual([
        "kanbun: invalid configuration: DATABASE_URL: mysql:// is not PostgreSQL; the URL must start postgres://",
      ]);
    }
  });

  test("--help names DATABASE_URL and says SQLite stays the default", async () => {
    const { env } = workspaces.next();
    const help = (await runCommand(["--help"], env)).info.join("\n");
    expect(help).toContain(
      "DATABASE_URL (unset: the SQLite file at DATABASE_PATH; postgres://… uses that PostgreSQL server)",
    );
    expect(help).toContain("DATABASE_POOL_MAX (10");
  });
});

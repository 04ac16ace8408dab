import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCopySource } from "../../src/platform/db/copy-source";
import { copyToPostgres } from "../../src/platform/db/copy-to-postgres";
import { embeddedPostgresMigrations } from "../../src/platform/db/postgres-migrate";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import { ensureBinary, runCli } from "../e2e/binary-process";
import { expectSameRows, writeCopyFixture } from "./copy-fixture";
import { createScratchDatabase, type ScratchDatabase } from "./support";

// The copy of a database still in use, and the command as the compiled binary runs it.

const folder = mkdtempSync(join(tmpdir(), "kanbun-copy-live-"));
let fixture: string;
const scratch: ScratchDatabase[] = [];

beforeAll(async () => {
  fixture = await writeCopyFixture(folder);
});

afterEach(async () => {
  for (const database of scratch.splice(0)) await database.drop();
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function freshTarget(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  scratch.push(database);
  return database;
}

describe("migrate-to-postgres", () => {
  test("copies one snapshot while a server keeps writing to the file", async () => {
    const { url } = await freshTarget();
    const file = join(folder, "live.db");
    copyFileSync(fixture, file);
    const writer = new Database(file, { strict: true });
    writer.run("PRAGMA journal_mode = WAL");
    const insert = writer.query(
      "INSERT INTO tasks (owner_id, title, created_at, updated_at) VALUES (1, 'During the copy', 1, 1)",
    );
    // Many tasks, so the copy takes several round trips for the writer to run between.
    writer.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)
      INSERT INTO tasks (owner_id, title, created_at, updated_at) SELECT 1, 'Before ' || i, i, i FROM n`);
    const source = openCopySource(file);
    const snapshot = source.tables.find((table) => table.name === "tasks")?.rows ?? -1;
    let written = 0;
    const timer = setInterval(() => {
      insert.run();
      written += 1;
    }, 0);
    try {
      await copyToPostgres(source, new URL(url), { maxParameters: 15 * 200 });
    } finally {
      clearInterval(timer);
      source.close();
    }
    expect(written).toBeGreaterThan(0);
    const sql = createPostgresSql(url, { max: 1 });
    const copied = await sql.get<{ n: number }>("SELECT count(*) AS n FROM tasks");
    const during = await sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM tasks WHERE title = 'During the copy'",
    );
    await sql.close();
    expect({ copied: copied?.n, during: during?.n }).toEqual({ copied: snapshot, during: 0 });
    const now = writer.query("SELECT count(*) AS n FROM tasks").get() as { n: number };
    expect(now.n).toBe(snapshot + written);
    writer.close();
  });

  test("the compiled binary copies from another folder, the URL taken from DATABASE_URL", async () => {
    const binary = ensureBinary();
    const { url } = await freshTarget();
    const elsewhere = mkdtempSync(join(tmpdir(), "kanbun-copy-binary-"));
    try {
      const result = await runCli(binary, ["migrate-to-postgres"], elsewhere, {
        DATABASE_PATH: fixture,
        DATABASE_URL: url,
      });
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
      const migrations = embeddedPostgresMigrations().length;
      expect(result.stdout).toContain(`applied ${migrations} migration(s), then copied`);
      await expectSameRows(fixture, url);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { MigrationError } from "../../src/platform/db/migrate";
import {
  embeddedPostgresMigrations,
  migratePostgres,
} from "../../src/platform/db/postgres-migrate";
import { createScratchDatabase, type ScratchDatabase } from "./support";

const scratch: ScratchDatabase[] = [];

async function freshDatabase(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  scratch.push(database);
  return database;
}

afterEach(async () => {
  for (const database of scratch.splice(0)) await database.drop();
});

async function withConnection<T>(url: string, work: (sql: SQL) => Promise<T>): Promise<T> {
  const sql = new SQL({ url, max: 1 });
  try {
    return await work(sql);
  } finally {
    await sql.close();
  }
}

const bookkeeping = (url: string) =>
  withConnection(
    url,
    async (sql) =>
      (await sql.unsafe(
        "SELECT hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY id",
      )) as { hash: string; created_at: string }[],
  );

const allTags = embeddedPostgresMigrations().map((migration) => migration.tag);

describe("migratePostgres", () => {
  test("embeds every migration, split at drizzle-kit's breakpoints", () => {
    const migrations = embeddedPostgresMigrations();
    expect(allTags).toEqual([
      "0000_search_text",
      "0001_schema",
      "0002_event_log_row",
      "0003_shared_counters",
    ]);
    for (const migration of migrations) {
      expect(migration.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(migration.statements.length).toBeGreaterThan(0);
      expect(migration.statements.some((s) => s.includes("statement-breakpoint"))).toBe(false);
    }
  });

  test("four instances starting at once on a fresh database migrate exactly once", async () => {
    const { url } = await freshDatabase();
    const runs = await Promise.all([1, 2, 3, 4].map(() => migratePostgres(url)));
    // One of them applied everything; the others waited for the lock and found nothing to do.
    expect(runs.filter((tags) => tags.length > 0)).toEqual([allTags]);
    expect(runs.filter((tags) => tags.length === 0)).toHaveLength(3);
    const rows = await bookkeeping(url);
    expect(rows.map((row) => row.hash)).toEqual(
      embeddedPostgresMigrations().map((migration) => migration.hash),
    );
    expect(rows.map((row) => Number(row.created_at))).toEqual(
      embeddedPostgresMigrations().map((migration) => migration.when),
    );
    // The lock is released: nothing holds it once every run has finished.
    const held = await withConnection(url, (sql) =>
      sql.unsafe("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'"),
    );
    expect(held[0].n).toBe(0);
  });

  test("a second run applies nothing", async () => {
    const { url } = await freshDatabase();
    expect(await migratePostgres(url)).toEqual(allTags);
    expect(await migratePostgres(url)).toEqual([]);
    expect(await bookkeeping(url)).toHaveLength(allTags.length);
  });

  test("only the migrations newer than the last applied one run", async () => {
    const { url } = await freshDatabase();
    const migrations = embeddedPostgresMigrations();
    expect(await migratePostgres(url, migrations.slice(0, 2))).toEqual(allTags.slice(0, 2));
    expect(await migratePostgres(url, migrations)).toEqual(allTags.slice(2));
    const row = await withConnection(url, (sql) => sql.unsafe("SELECT * FROM event_log"));
    expect([...row]).toEqual([{ id: 1, pruned_through: "0" }]);
  });

  test("a migration changed after it was applied is refused, and nothing more is applied", async () => {
    const { url } = await freshDatabase();
    const migrations = embeddedPostgresMigrations();
    await migratePostgres(url, migrations.slice(0, 2));
    const [first, ...rest] = migrations;
    if (!first) throw new Error("no migrations");
    const edited = [{ ...first, hash: "0".repeat(64) }, ...rest];
    const error = await migratePostgres(url, edited).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain("Migration 0000_search_text differs from the one applied");
    expect(await bookkeeping(url)).toHaveLength(2);
    const eventLog = await withConnection(url, (sql) =>
      sql.unsafe("SELECT count(*)::int AS n FROM event_log"),
    );
    expect(eventLog[0].n).toBe(0);
  });

  test("a failing migration is named, rolled back whole, and leaves the ones before it applied", async () => {
    const { url } = await freshDatabase();
    const [first] = embeddedPostgresMigrations();
    if (!first) throw new Error("no migrations");
    const broken = {
      tag: "9999_broken",
      when: first.when + 1,
      hash: "f".repeat(64),
      statements: ["CREATE TABLE half_done (id int)", "CREATE TABLE oops (id nonsense_type)"],
    };
    const error = await migratePostgres(url, [first, broken]).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toStartWith("Migration 9999_broken failed: ");
    expect(error.message).toContain("nonsense_type");
    expect((await bookkeeping(url)).map((row) => row.hash)).toEqual([first.hash]);
    const tables = await withConnection(url, (sql) =>
      sql.unsafe("SELECT to_regclass('half_done')::text AS half_done"),
    );
    expect(tables[0].half_done).toBeNull();
  });

  test("an unreachable server rejects with the driver's error", async () => {
    await expect(
      migratePostgres("postgres://postgres@127.0.0.1:1/none", embeddedPostgresMigrations()),
    ).rejects.toThrow();
  });
});

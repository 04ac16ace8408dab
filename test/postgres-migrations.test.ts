import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pgMigrationJournal, pgMigrationSql } from "../drizzle/pg";

// The PostgreSQL migrations are applied to a real server by test/postgres/*.pg.ts (bun run
// test:pg); what needs no server is checked here, in every run.
const PG_DIR = join(import.meta.dir, "..", "drizzle", "pg");

describe("embedded PostgreSQL migrations", () => {
  test("the SQL map, the journal and the drizzle/pg folder agree", () => {
    const journalTags = pgMigrationJournal.entries.map((entry) => entry.tag);
    const files = readdirSync(PG_DIR)
      .filter((name) => name.endsWith(".sql"))
      .map((name) => name.slice(0, -".sql".length))
      .sort();
    expect(journalTags).toEqual(files);
    expect(Object.keys(pgMigrationSql).sort()).toEqual(files);
    for (const tag of files) {
      expect(pgMigrationSql[tag]).toBe(readFileSync(join(PG_DIR, `${tag}.sql`), "utf8"));
    }
  });

  test("the journal is in order, one migration after another", () => {
    const whens = pgMigrationJournal.entries.map((entry) => entry.when);
    expect(whens).toEqual(whens.toSorted((a, b) => a - b));
    expect(new Set(whens).size).toBe(whens.length);
    expect(pgMigrationJournal.entries.map((entry) => entry.idx)).toEqual(whens.map((_, i) => i));
  });
});

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { migrationJournal, migrationSql } from "../drizzle";
import { createApp } from "../src/app";
import { createDeps } from "../src/deps";
import { loadConfig } from "../src/platform/config";
import { applyPragmas } from "../src/platform/db/client";
import {
  embeddedMigrations,
  type Migration,
  MigrationError,
  migrate,
} from "../src/platform/db/migrate";
import { createLogger } from "../src/platform/logging";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { buildRequest, TEST_SECRET } from "./support/app";
import { FakeClock } from "./support/clock";

const DRIZZLE_DIR = join(import.meta.dir, "..", "drizzle");
const NOW = Date.parse("2026-11-21T10:00:00.000Z");
const PASSWORD = "Sturdy-upgrade-passphrase";

function blankDatabase(): Database {
  const sqlite = new Database(":memory:", { strict: true });
  applyPragmas(sqlite, false);
  return sqlite;
}

function count(sqlite: Database, table: string): number {
  return sqlite.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? -1;
}

describe("embedded migrations", () => {
  test("the SQL map, the journal and the drizzle folder agree", () => {
    const journalTags = migrationJournal.entries.map((entry) => entry.tag);
    const files = readdirSync(DRIZZLE_DIR)
      .filter((name) => name.endsWith(".sql"))
      .map((name) => name.slice(0, -".sql".length))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(migrationSql).sort()).toEqual([...journalTags].sort());
    expect(files).toEqual([...journalTags].sort());
  });

  test("the journal is in order and every migration has statements", () => {
    const migrations = embeddedMigrations();
    expect(migrations.map((m) => m.tag)).toEqual(migrationJournal.entries.map((e) => e.tag));
    migrations.forEach((migration, index) => {
      expect(migration.tag.startsWith(String(index).padStart(4, "0"))).toBe(true);
      expect(migration.statements.length).toBeGreaterThan(0);
      expect(migration.hash).toMatch(/^[0-9a-f]{64}$/);
      if (index > 0) expect(migration.when).toBeGreaterThan(migrations[index - 1]?.when ?? 0);
    });
  });
});

describe("migrate", () => {
  test("applies everything once, then nothing", async () => {
    const sqlite = blankDatabase();
    const all = embeddedMigrations().map((m) => m.tag);
    expect(migrate(sqlite)).toEqual(all);
    expect(migrate(sqlite)).toEqual([]);
    expect(await count(sqlite, "__drizzle_migrations")).toBe(all.length);
    expect(sqlite.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
  });

  test("a partial database gets exactly the migrations it still lacks", () => {
    const sqlite = blankDatabase();
    const migrations = embeddedMigrations();
    expect(migrate(sqlite, migrations.slice(0, 1))).toEqual([migrations[0]?.tag ?? ""]);
    expect(migrate(sqlite)).toEqual(migrations.slice(1).map((m) => m.tag));
    expect(migrate(sqlite)).toEqual([]);
  });

  test("a migration that would break a foreign key is rolled back", async () => {
    const sqlite = blankDatabase();
    migrate(sqlite);
    const broken: Migration = {
      tag: "9999_broken",
      when: Number.MAX_SAFE_INTEGER,
      hash: "0".repeat(64),
      statements: [
        "CREATE TABLE scratch (id integer PRIMARY KEY)",
        "INSERT INTO sessions (user_id, created_at, last_used_at, expires_at) VALUES (424242, 1, 1, 2)",
      ],
    };
    const recorded = await count(sqlite, "__drizzle_migrations");
    expect(() => migrate(sqlite, [broken])).toThrow(MigrationError);
    expect(await count(sqlite, "sessions")).toBe(0);
    expect(sqlite.query("SELECT name FROM sqlite_master WHERE name = 'scratch'").all()).toEqual([]);
    // Not recorded as applied: the next start tries it again.
    expect(await count(sqlite, "__drizzle_migrations")).toBe(recorded);
    expect(sqlite.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
  });

  test("a failing statement leaves the database as it was", async () => {
    const sqlite = blankDatabase();
    const migrations = embeddedMigrations();
    const bad: Migration = { ...(migrations[0] as Migration), statements: ["CREATE TABLE"] };
    expect(() => migrate(sqlite, [bad])).toThrow(MigrationError);
    expect(() => migrate(sqlite, [bad])).toThrow(/^Migration 0000_init failed: /);
    expect(await count(sqlite, "__drizzle_migrations")).toBe(0);
    expect(sqlite.query("SELECT name FROM sqlite_master WHERE name = 'users'").all()).toEqual([]);
    expect(sqlite.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
  });
});

/** Rows every schema since 0000 can hold: two users, sessions, a refresh token, tasks, tags. */
async function seedCoreData(sqlite: Database) {
  const hash = await Bun.password.hash(PASSWORD, { algorithm: "argon2id", ...TEST_PASSWORD_COST });
  const insertUser = sqlite.query(
    `INSERT INTO users (username, email, password_hash, role, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const alice = insertUser.get("alice", "alice@example.com", hash, "admin", NOW, NOW) as {
    id: number;
  };
  const bob = insertUser.get("bob", "bob@example.com", hash, "user", NOW, NOW) as { id: number };
  const session = sqlite
    .query(
      `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent, ip)
       VALUES (?, ?, ?, ?, 'test', '127.0.0.1') RETURNING id`,
    )
    .get(alice.id, NOW, NOW, NOW + 86_400_000) as { id: number };
  sqlite
    .query(
      "INSERT INTO refresh_tokens (session_id, token_hash, created_at) VALUES (?, 'hash-1', ?)",
    )
    .run(session.id, NOW);
  const insertTask = sqlite.query(
    `INSERT INTO tasks (owner_id, title, description, assignee_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const tasks = [
    insertTask.get(alice.id, "Water the geraniums", "balcony", bob.id, NOW, NOW),
    insertTask.get(alice.id, "Renew passport", "before the trip to Lisbon", null, NOW, NOW),
    insertTask.get(bob.id, "Fix bicycle", "rear derailleur", null, NOW, NOW),
  ] as { id: number }[];
  const insertTag = sqlite.query("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");
  insertTag.run(tasks[0]?.id ?? 0, "home");
  insertTag.run(tasks[0]?.id ?? 0, "garden");
  insertTag.run(tasks[2]?.id ?? 0, "bike");
  return { alice, bob, session, tasks };
}

const CORE_TABLES = ["users", "sessions", "refresh_tokens", "tasks", "task_tags"] as const;

describe("upgrading a populated database", () => {
  const total = embeddedMigrations().length;
  const splits = Array.from({ length: Math.max(total - 1, 0) }, (_, index) => index + 1);

  test.each(splits)("data written after %i migration(s) survives the rest", async (applied) => {
    const sqlite = blankDatabase();
    const migrations = embeddedMigrations();
    migrate(sqlite, migrations.slice(0, applied));
    const seeded = await seedCoreData(sqlite);
    const before = Object.fromEntries(
      CORE_TABLES.map((table) => [
        table,
        sqlite.query(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
      ]),
    );

    expect(migrate(sqlite)).toEqual(migrations.slice(applied).map((m) => m.tag));

    for (const table of CORE_TABLES) {
      const after = sqlite.query(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
      // New columns may appear; every old column keeps its value.
      const old = before[table] as Record<string, unknown>[];
      expect(after).toHaveLength(old.length);
      after.forEach((row, index) => {
        expect(row).toMatchObject(old[index] ?? {});
      });
    }
    expect(sqlite.query("PRAGMA foreign_key_check").all()).toEqual([]);
    expect(sqlite.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(sqlite.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });

    // The full-text index covers tasks that existed before it did.
    const found = sqlite
      .query<{ rowid: number }, [string]>(
        "SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ? ORDER BY rowid",
      )
      .all('"lisbon"');
    expect(found.map((row) => row.rowid)).toEqual([seeded.tasks[1]?.id ?? 0]);
    // …under their owner's visibility only, and the index agrees with the table exactly.
    const visible = (owner: number) =>
      sqlite
        .query<{ rowid: number }, [string]>("SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?")
        .all(`owner_id : "${owner}" AND {title description} : "lisb"*`)
        .map((row) => row.rowid);
    expect(await visible(seeded.alice.id)).toEqual([seeded.tasks[1]?.id ?? 0]);
    expect(await visible(seeded.bob.id)).toEqual([]);
    sqlite.run("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('integrity-check', 1)");

    // Cascades still work after the upgrade.
    sqlite.query("DELETE FROM users WHERE id = ?").run(seeded.bob.id);
    expect(await count(sqlite, "tasks")).toBe(2);
    expect(
      sqlite.query("SELECT assignee_id FROM tasks WHERE id = ?").get(seeded.tasks[0]?.id ?? 0),
    ).toEqual({ assignee_id: null });
  });

  test("the app serves pre-existing users and tasks after the upgrade", async () => {
    const sqlite = blankDatabase();
    migrate(sqlite, embeddedMigrations().slice(0, 1));
    const seeded = await seedCoreData(sqlite);
    migrate(sqlite);

    const config = loadConfig({
      NODE_ENV: "test",
      DATABASE_PATH: ":memory:",
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: "silent",
    });
    const deps = await createDeps(config, {
      sqlite,
      clock: new FakeClock(NOW + 60_000),
      log: createLogger("silent"),
      passwordCost: TEST_PASSWORD_COST,
    });
    const app = createApp(deps);
    const login = await app.handle(
      buildRequest("/api/v1/auth/login", {
        body: { email: "alice@example.com", password: PASSWORD },
      }),
    );
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };

    const search = await app.handle(
      buildRequest("/api/v1/tasks?q=geraniums", { token: access_token }),
    );
    expect(search.status).toBe(200);
    const tasks = (await search.json()) as { id: number; tags: string[]; assignee_id: number }[];
    expect(tasks.map((task) => task.id)).toEqual([seeded.tasks[0]?.id ?? 0]);
    expect(tasks[0]?.tags.sort()).toEqual(["garden", "home"]);
    expect(tasks[0]?.assignee_id).toBe(seeded.bob.id);
  });
});

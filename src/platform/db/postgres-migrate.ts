import { SQL } from "bun";
import { pgMigrationJournal, pgMigrationSql } from "../../../drizzle/pg";
import { type Migration, MigrationError, readMigrations } from "./migrate";
import { MIGRATION_LOCK_KEY } from "./postgres-locks";
import { databaseOf } from "./postgres-url";

/**
 * drizzle's own bookkeeping table for PostgreSQL (schema `drizzle`), so that drizzle-kit and
 * this runner agree about what has run.
 */
const BOOKKEEPING = "drizzle.__drizzle_migrations";

/** The embedded PostgreSQL migrations (drizzle/pg) in journal order. */
export function embeddedPostgresMigrations(): Migration[] {
  return readMigrations({ journal: pgMigrationJournal, sql: pgMigrationSql });
}

/**
 * Applies the pending migrations to the database at `url`, each in its own transaction, and
 * returns their tags. Several instances may start at once: each holds a session advisory lock
 * for its whole run, so one migrates while the others wait, and those then read from the
 * bookkeeping table that nothing is left to do.
 *
 * A migration that was applied is checked against the embedded one by hash: one edited after
 * it ran would leave this database unlike every other, so nothing is applied then.
 */
export async function migratePostgres(
  url: string,
  migrations = embeddedPostgresMigrations(),
): Promise<string[]> {
  // One connection: a session lock belongs to the session that took it.
  const connection = new SQL({ url, database: databaseOf(url), max: 1, bigint: true });
  try {
    await connection.unsafe(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      return await applyPending(connection, migrations);
    } finally {
      await connection.unsafe(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await connection.close();
  }
}

async function applyPending(connection: SQL, migrations: Migration[]): Promise<string[]> {
  await connection.unsafe("CREATE SCHEMA IF NOT EXISTS drizzle");
  await connection.unsafe(
    `CREATE TABLE IF NOT EXISTS ${BOOKKEEPING} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  );
  const applied = (await connection.unsafe(
    `SELECT hash, created_at FROM ${BOOKKEEPING} ORDER BY created_at`,
  )) as { hash: string; created_at: bigint }[];
  for (const row of applied) {
    const migration = migrations.find((candidate) => BigInt(candidate.when) === row.created_at);
    if (migration && migration.hash !== row.hash) {
      throw new MigrationError(
        `Migration ${migration.tag} differs from the one applied to this database (hash ${row.hash}); not migrating`,
      );
    }
  }
  const last = applied.at(-1)?.created_at ?? 0n;
  const pending = migrations.filter((migration) => BigInt(migration.when) > last);
  for (const migration of pending) await applyOne(connection, migration);
  return pending.map((migration) => migration.tag);
}

async function applyOne(connection: SQL, migration: Migration): Promise<void> {
  await connection.unsafe("BEGIN");
  try {
    for (const statement of migration.statements) await connection.unsafe(statement);
    await connection.unsafe(`INSERT INTO ${BOOKKEEPING} (hash, created_at) VALUES ($1, $2)`, [
      migration.hash,
      migration.when,
    ]);
    await connection.unsafe("COMMIT");
  } catch (error) {
    await connection.unsafe("ROLLBACK").catch(() => undefined);
    // Name the migration: an operator reading "syntax error at or near ..." alone cannot act on it.
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.tag} failed: ${reason}`, { cause: error });
  }
}

import { SQL } from "bun";
import { migratePostgres } from "../../src/platform/db/postgres-migrate";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import type { Sql } from "../../src/platform/db/sql";

/**
 * The server the PostgreSQL tests run on: TEST_DATABASE_URL, a database the tests may create
 * databases in (`bun run db:postgres` starts one and prints its URL). Each test file works in
 * databases of its own, created with random names and dropped afterwards.
 */
export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "TEST_DATABASE_URL is not set: start a server with `bun run db:postgres` and export the URL it prints",
    );
  }
  return url;
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the test server, with a name no other test uses. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `kanbun_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = new SQL({ url: serverUrl(), max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const admin = new SQL({ url: serverUrl(), max: 1 });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.close();
      }
    },
  };
}

export interface MigratedDatabase {
  /** A client on the database (two connections). */
  sql: Sql;
  /** Closes the client and drops the database. */
  close(): Promise<void>;
}

/** A scratch database with every migration applied, and a client on it. */
export async function createMigratedDatabase(): Promise<MigratedDatabase> {
  const database = await createScratchDatabase();
  await migratePostgres(database.url);
  const sql = createPostgresSql(database.url, { max: 2 });
  return {
    sql,
    async close() {
      await sql.close();
      await database.drop();
    },
  };
}

import { migratePostgres } from "../../src/platform/db/postgres-migrate";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import { COUNTER_KEY_PREFIX } from "../../src/platform/shared/redis-counters";
import { SqlWindowCounters } from "../../src/platform/shared/sql-counters";
import type { SharedState } from "../../src/platform/shared/state";
import { connectRedis, createScratchDatabase, deleteKeys, type ScratchDatabase } from "./backends";
import { createLiveContext, type LiveContext } from "./live";

/**
 * Kanbun instances for the tests of several instances (test/postgres, test/redis): each has its
 * own deps and app, listening on 127.0.0.1 with its feed running, and its own `Sql` client of one
 * PostgreSQL database, as separate processes would. REDIS_URL in `env` puts the shared state in
 * Redis; otherwise it is in the database (counters and LISTEN/NOTIFY).
 *
 * Instances trust X-Forwarded-For, and each `request` comes from an address of its own unless
 * it names one: the limits shared through the store would otherwise count every test's calls
 * against one address.
 */
export interface Instance extends LiveContext {
  close(): Promise<void>;
}

export interface InstanceOptions {
  /** False: no wake, so this instance's feed finds others' events by its poll alone. */
  wake?: boolean;
}

/** A scratch PostgreSQL database with Kanbun's schema. */
export async function createKanbunDatabase(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  await migratePostgres(database.url);
  return database;
}

export async function openInstance(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: InstanceOptions = {},
): Promise<Instance> {
  const sql = createPostgresSql(databaseUrl, { max: 4 });
  const shared: SharedState | undefined =
    options.wake === false
      ? {
          store: "database",
          counters: new SqlWindowCounters(sql),
          wake: null,
          close: async () => {},
        }
      : undefined;
  const live = await createLiveContext(
    { TRUST_PROXY: "true", ...env },
    { sql, ...(shared && { shared }) },
  );
  return {
    ...live,
    request: (path, init = {}) =>
      live.request(path, { ...init, headers: { "x-forwarded-for": anAddress(), ...init.headers } }),
    async close() {
      await live.stop();
      await live.deps.shared.close();
      await sql.close();
    },
  };
}

// Random per process, so that a run finds no counts a run before it left in Redis.
const firstAddress = Math.floor(Math.random() * 2 ** 24);
let addresses = 0;

/** A client address (10.x.y.z) no other call in this process has used. */
export function anAddress(): string {
  addresses += 1;
  const n = (firstAddress + addresses) % 2 ** 24;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Deletes Kanbun's counters from the test Redis. Account keys name user ids, which start at 1 in
 * every new database: a test file must not find the counts a file (or run) before it left.
 */
export async function forgetRedisCounters(): Promise<void> {
  const redis = connectRedis();
  try {
    await deleteKeys(redis, COUNTER_KEY_PREFIX);
  } finally {
    redis.close();
  }
}

import { RedisClient } from "bun";
import type { Config } from "../config";
import { postgresClientOf } from "../db/postgres-sql";
import type { Sql } from "../db/sql";
import type { Logger } from "../logging";
import { createPostgresWake } from "./postgres-wake";
import { REDIS_COMMAND_TIMEOUT_MS } from "./redis-connection";
import { RedisWindowCounters } from "./redis-counters";
import { createRedisWake } from "./redis-wake";
import { SqlWindowCounters } from "./sql-counters";
import { redactUrl, type SharedState } from "./state";
import { describeError, type FeedWake } from "./wake";

/**
 * The shared stores of several instances (decision 017): Redis when REDIS_URL is set, else the
 * PostgreSQL database. Loaded only when one is wanted (state.ts), so one instance on SQLite
 * never loads the Redis or LISTEN code.
 */
export async function createSharedState(
  config: Pick<Config, "redisUrl">,
  sql: Sql,
  log: Logger,
): Promise<SharedState> {
  if (config.redisUrl) return await createRedisState(config.redisUrl, log);
  const client = postgresClientOf(sql);
  if (client === null) throw new Error(`no shared store for a ${sql.dialect} database`);
  const wake = await createPostgresWake(client, log);
  log.info("shared limits and feed wakes in the database", { store: "database" });
  return {
    store: "database",
    counters: new SqlWindowCounters(sql),
    // Places (shared_counters) and failures (shared_counters, auth_failures) are rows of this
    // database: its write lock keeps one attempt's reads from landing inside another's settle.
    serialize: (steps) => sql.transaction(steps),
    wake,
    close: () => wake.close(),
  };
}

async function createRedisState(url: string, log: Logger): Promise<SharedState> {
  const where = redactUrl(url);
  // Commands fail at once while Redis is away rather than queue (RedisConnection reconnects).
  const client = new RedisClient(url, {
    autoReconnect: false,
    enableOfflineQueue: false,
    connectionTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  let wake: FeedWake;
  try {
    wake = await createRedisWake({ url, publisher: client, log });
  } catch (error) {
    client.close();
    // Bun's message names the address at most; the URL (and its password) is never repeated.
    throw new Error(`REDIS_URL: cannot reach Redis at ${where}: ${describeError(error)}`);
  }
  log.info("shared limits and feed wakes in Redis", { store: "redis", redis: where });
  return {
    store: "redis",
    counters: new RedisWindowCounters(client),
    wake,
    async close() {
      await wake.close();
      client.close();
    },
  };
}

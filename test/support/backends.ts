import { RedisClient } from "bun";

/**
 * Servers for the tests that need PostgreSQL or Redis (test/postgres/*.pg.ts,
 * test/redis/*.redis.ts). Each test gets a database, or a key prefix, of its own and removes it.
 */

export function requireEnv(name: "TEST_DATABASE_URL" | "TEST_REDIS_URL"): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests need a server to run against`);
  return value;
}

// One scratch-database helper for every PostgreSQL test (test/postgres/support.ts).
export { createScratchDatabase, type ScratchDatabase } from "../postgres/support";

/** A key prefix no other test uses, and a way to delete every key under it. */
export function scratchPrefix(): string {
  return `kanbun-test:${crypto.randomUUID()}:`;
}

export async function deleteKeys(redis: RedisClient, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = (await redis.send("SCAN", [cursor, "MATCH", `${prefix}*`])) as [
      string,
      string[],
    ];
    if (keys.length > 0) await redis.send("DEL", keys);
    cursor = next;
  } while (cursor !== "0");
}

export function connectRedis(): RedisClient {
  return new RedisClient(requireEnv("TEST_REDIS_URL"));
}

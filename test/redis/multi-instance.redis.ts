// Two `kanbun serve` processes on one PostgreSQL database with REDIS_URL: the limits count in
// Redis and the feed is woken by its pub/sub. See test/support/multi-instance.ts.
import { RedisClient } from "bun";
import { COUNTER_KEY_PREFIX } from "../../src/platform/shared/redis-counters";
import { requireEnv } from "../support/backends";
import { describeMultiInstance } from "../support/multi-instance";

// A Redis database of the run's own, emptied before and after: the instances' counter keys are
// not prefixed per Kanbun database, and a fresh Kanbun database hands out the same account ids
// (so the same budget keys) as the last run did.
const redisUrl = new URL(requireEnv("TEST_REDIS_URL"));
redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;

async function inRedis<T>(work: (redis: RedisClient) => Promise<T>): Promise<T> {
  const redis = new RedisClient(redisUrl.href);
  try {
    return await work(redis);
  } finally {
    redis.close();
  }
}

const emptyRedisDatabase = () => inRedis(async (redis) => void (await redis.send("FLUSHDB", [])));

/** The instances' counter keys in the run's Redis database. */
const counterKeys = () =>
  inRedis(async (redis) => {
    let cursor = "0";
    let count = 0;
    do {
      const [next, keys] = (await redis.send("SCAN", [
        cursor,
        "MATCH",
        `${COUNTER_KEY_PREFIX}*`,
      ])) as [string, string[]];
      count += keys.length;
      cursor = next;
    } while (cursor !== "0");
    return count;
  });

describeMultiInstance("two instances on one PostgreSQL database, with Redis", {
  async setUp() {
    await emptyRedisDatabase();
    return { REDIS_URL: redisUrl.href };
  },
  tearDown: emptyRedisDatabase,
  counters: counterKeys,
  store: "redis",
});

// Two `kanbun serve` processes on one PostgreSQL database with REDIS_URL: the limits count in
// Redis and the feed is woken by its pub/sub. See test/support/multi-instance.ts.
import { RedisClient } from "bun";
import { requireEnv } from "../support/backends";
import { describeMultiInstance } from "../support/multi-instance";

// A Redis database of the run's own, emptied before and after: the instances' counter keys are
// not prefixed per Kanbun database, and a fresh Kanbun database hands out the same account ids
// (so the same budget keys) as the last run did.
const redisUrl = new URL(requireEnv("TEST_REDIS_URL"));
redisUrl.pathname = `/${1 + Math.floor(Math.random() * 15)}`;

async function emptyRedisDatabase(): Promise<void> {
  const redis = new RedisClient(redisUrl.href);
  try {
    await redis.send("FLUSHDB", []);
  } finally {
    redis.close();
  }
}

describeMultiInstance("two instances on one PostgreSQL database, with Redis", {
  async setUp() {
    await emptyRedisDatabase();
    return { REDIS_URL: redisUrl.href };
  },
  tearDown: emptyRedisDatabase,
});

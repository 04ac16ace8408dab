import { COUNTER_KEY_PREFIX } from "../../src/platform/shared/redis-counters";
import { connectRedis, deleteKeys, requireEnv } from "../support/backends";
import { describeInstancesContract } from "../support/instances-contract";

// Two instances on one PostgreSQL database that share limits and the feed's wakes through Redis
// (REDIS_URL). They need both servers: TEST_DATABASE_URL and TEST_REDIS_URL.
describeInstancesContract(
  "with Redis",
  "redis",
  () => ({ REDIS_URL: requireEnv("TEST_REDIS_URL") }),
  // Account keys name user ids, which start at 1 in every new database: a run within a window
  // of the last must not find its counts.
  async () => {
    const redis = connectRedis();
    await deleteKeys(redis, COUNTER_KEY_PREFIX);
    redis.close();
  },
);

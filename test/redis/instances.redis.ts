import { requireEnv } from "../support/backends";
import { forgetRedisCounters } from "../support/instances";
import { describeInstancesContract } from "../support/instances-contract";

// Two instances on one PostgreSQL database that share limits and the feed's wakes through Redis
// (REDIS_URL). They need both servers: TEST_DATABASE_URL and TEST_REDIS_URL.
describeInstancesContract(
  "with Redis",
  "redis",
  () => ({ REDIS_URL: requireEnv("TEST_REDIS_URL") }),
  forgetRedisCounters,
);

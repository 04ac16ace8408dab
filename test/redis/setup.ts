// Preloaded by `bun run test:redis` (test/redis/bunfig.toml): without a server there is nothing to
// test, and that must read as a failure with its cause, not as a run of skipped or passing tests.
import { requireEnv } from "../support/backends";

requireEnv("TEST_REDIS_URL");
// multi-instance.redis.ts runs two Kanbun instances on PostgreSQL with Redis.
if (!process.env.TEST_DATABASE_URL) {
  throw new Error(
    "TEST_DATABASE_URL is not set: the Redis tests run Kanbun on PostgreSQL too; start a server with `bun run db:postgres` and export the URL it prints",
  );
}

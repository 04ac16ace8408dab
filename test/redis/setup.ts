// Preloaded by `bun run test:redis` (test/redis/bunfig.toml): without a server there is nothing to
// test, and that must read as a failure with its cause, not as a run of skipped or passing tests.
import { requireEnv } from "../support/backends";

requireEnv("TEST_REDIS_URL");

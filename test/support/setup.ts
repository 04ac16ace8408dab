// Preloaded by bun test (bunfig.toml): warm the migrated database template once per process.
// On PostgreSQL (TEST_DATABASE_URL), databases made for a test are dropped after it.
import { afterAll, afterEach, beforeEach } from "bun:test";
import { freshDatabase } from "./database";
import { onPostgres } from "./dialect";
import { runEnded, testEnded, testStarted } from "./postgres-databases";

freshDatabase().close();

if (onPostgres) {
  beforeEach(testStarted);
  afterEach(testEnded);
  afterAll(runEnded);
}

import { describe, expect, test } from "bun:test";
import { LOCAL_STATE, redactUrl, sharesState } from "../src/platform/shared/state";
import { createTestContext } from "./support/app";
import { onPostgres } from "./support/dialect";

describe("which shared state an instance runs with", () => {
  test("SQLite without REDIS_URL shares nothing: the in-memory limits and no wake", async () => {
    const ctx = await createTestContext({}, { sqliteOnly: true });
    expect(ctx.deps.shared).toBe(LOCAL_STATE);
    expect(LOCAL_STATE).toMatchObject({ store: "memory", counters: null, wake: null });
    await LOCAL_STATE.close();
  });

  test.if(onPostgres)(
    "PostgreSQL shares its limits in the database and wakes by NOTIFY",
    async () => {
      const ctx = await createTestContext();
      expect(ctx.deps.shared.store).toBe("database");
      expect(ctx.deps.shared.counters).not.toBeNull();
      expect(ctx.deps.shared.wake).not.toBeNull();
      // The failure budgets' steps run under the database's write lock.
      expect(ctx.deps.shared.serialize).toBeInstanceOf(Function);
    },
  );

  test("REDIS_URL, or PostgreSQL, means several instances may share the database", () => {
    expect(sharesState({ redisUrl: null }, { dialect: "sqlite" })).toBe(false);
    expect(sharesState({ redisUrl: "redis://127.0.0.1:6379" }, { dialect: "sqlite" })).toBe(true);
    expect(sharesState({ redisUrl: null }, { dialect: "postgres" })).toBe(true);
  });

  test("a Redis URL is logged without its user or password", () => {
    expect(redactUrl("rediss://kanbun:s3cret@redis.internal:6380/2")).toBe(
      "rediss://redis.internal:6380/2",
    );
    expect(redactUrl("redis://:s3cret@127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(redactUrl("redis://[::1]:6379/")).toBe("redis://[::1]:6379");
  });
});

import { describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { RedisWindowCounters } from "../../src/platform/shared/redis-counters";
import { connectRedis, deleteKeys, requireEnv, scratchPrefix } from "../support/backends";
import { describeSharedFailureBudgetContract } from "../support/failure-budget-contract";
import { startProxy } from "../support/tcp-proxy";
import {
  type CountersBackend,
  describeWindowCountersContract,
} from "../support/window-counters-contract";

// Two clients, as two Kanbun instances would have. Redis times windows by its own clock, so
// windows here are short and time passes for real.
async function openRedisCounters(): Promise<CountersBackend> {
  const prefix = scratchPrefix();
  const first = connectRedis();
  const second = connectRedis();
  return {
    a: new RedisWindowCounters(first, prefix),
    b: new RedisWindowCounters(second, prefix),
    windowMs: 400,
    now: () => Date.now(),
    elapse: (ms) => Bun.sleep(ms),
    close: async () => {
      await deleteKeys(first, prefix);
      first.close();
      second.close();
    },
  };
}

describeWindowCountersContract("Redis", openRedisCounters);
describeSharedFailureBudgetContract("Redis", openRedisCounters);

describe("Redis counters", () => {
  test("a window's key carries its TTL, so Redis itself drops ended windows", async () => {
    const prefix = scratchPrefix();
    const redis = connectRedis();
    try {
      const store = new RedisWindowCounters(redis, prefix);
      const hit = await store.hit("ip", 60_000, Date.now());
      const ttl = (await redis.send("PTTL", [`${prefix}ip`])) as number;
      expect(ttl).toBeGreaterThan(59_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(hit.resetAt - Date.now()).toBeGreaterThan(59_000);
      // A later hit keeps the window's end: PEXPIRE NX.
      await Bun.sleep(20);
      expect((await store.hit("ip", 60_000, Date.now())).resetAt).toBeLessThanOrEqual(hit.resetAt);
      expect(store.sweep(Date.now())).toBe(0);
      // A release on a missing key leaves no key behind (DECR would have made one at -1).
      await store.release("nothing", Date.now());
      expect(await redis.exists(`${prefix}nothing`)).toBe(false);
    } finally {
      await deleteKeys(redis, prefix);
      redis.close();
    }
  });

  test("after Redis was away longer than the client's retries, counting resumes when it is back", async () => {
    const proxy = startProxy(new URL(requireEnv("TEST_REDIS_URL")));
    const prefix = scratchPrefix();
    let gaveUp = false;
    const client = new RedisClient(proxy.url, { maxRetries: 1, connectionTimeout: 500 });
    client.onclose = () => {
      gaveUp = true;
    };
    const store = new RedisWindowCounters(client, prefix);
    try {
      expect((await store.hit("ip", 60_000, Date.now())).count).toBe(1);
      proxy.stop();
      for (let i = 0; i < 200 && !gaveUp; i++) await Bun.sleep(10);
      expect(gaveUp).toBe(true);
      await expect(store.hit("ip", 60_000, Date.now())).rejects.toThrow();
      proxy.restart();
      expect((await store.hit("ip", 60_000, Date.now())).count).toBe(2);
    } finally {
      client.close();
      proxy.stop();
      const cleanup = connectRedis();
      await deleteKeys(cleanup, prefix);
      cleanup.close();
    }
  });
});

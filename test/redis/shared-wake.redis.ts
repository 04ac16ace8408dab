import { describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { createRedisWake } from "../../src/platform/shared/redis-wake";
import { WAKE_CHANNEL } from "../../src/platform/shared/wake";
import { connectRedis, requireEnv } from "../support/backends";
import { startProxy } from "../support/tcp-proxy";
import { counter, describeFeedWakeContract, eventually } from "../support/wake-contract";

function recordingLog() {
  const lines: string[] = [];
  return { lines, warn: (message: string) => lines.push(message) };
}

/** Two instances' worth: a publisher and a wake each, on one Redis. */
async function openPair(retryMs = 50) {
  const url = requireEnv("TEST_REDIS_URL");
  const publisherA = connectRedis();
  const publisherB = connectRedis();
  const log = recordingLog();
  const a = await createRedisWake({ url, publisher: publisherA, log, retryMs });
  const b = await createRedisWake({ url, publisher: publisherB, log, retryMs });
  return {
    a,
    b,
    publisherA,
    log,
    async close() {
      await a.close();
      await b.close();
      publisherA.close();
      publisherB.close();
    },
  };
}

describeFeedWakeContract("Redis pub/sub", openPair, 100);

/** The ids of the wakes' subscriber connections, which name themselves. */
async function wakeConnections(redis: RedisClient): Promise<string[]> {
  const list = String(await redis.send("CLIENT", ["LIST", "TYPE", "pubsub"]));
  return list
    .split("\n")
    .filter((line) => line.includes("name=kanbun-feed-wake "))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? "");
}

describe("Redis wake", () => {
  test("after its connection drops it subscribes again, wakes once, and delivers once per signal", async () => {
    const pair = await openPair();
    const admin = connectRedis();
    try {
      const onB = counter(pair.b);
      const before = await wakeConnections(admin);
      expect(before.length).toBeGreaterThanOrEqual(2);
      for (const id of before) await admin.send("CLIENT", ["KILL", "ID", id]);
      await eventually(() => onB.count() === 1, 10_000);
      expect(pair.log.lines).toContain("feed wake lost its Redis connection");
      // New connections, subscribed again; a signal arrives once, not once per subscription.
      let after: string[] = [];
      for (let i = 0; i < 100 && after.length < before.length; i++) {
        await Bun.sleep(20);
        after = await wakeConnections(admin);
      }
      expect(after).toHaveLength(before.length);
      expect(after.filter((id) => before.includes(id))).toEqual([]);
      pair.a.signal();
      await eventually(() => onB.count() === 2);
      await Bun.sleep(100);
      expect(onB.count()).toBe(2);
      expect(await admin.publish(WAKE_CHANNEL, "")).toBeGreaterThanOrEqual(2);
    } finally {
      admin.close();
      await pair.close();
    }
  });

  test("a PUBLISH that cannot be sent is logged, not thrown", async () => {
    const log = recordingLog();
    // Nothing listens on port 1: every PUBLISH fails.
    const publisher = new RedisClient("redis://127.0.0.1:1", { autoReconnect: false });
    const wake = await createRedisWake({ url: requireEnv("TEST_REDIS_URL"), publisher, log });
    try {
      wake.signal();
      await eventually(() => log.lines.includes("feed wake not sent"));
    } finally {
      await wake.close();
      publisher.close();
    }
  });

  test("without Redis at start it fails", async () => {
    const publisher = connectRedis();
    await expect(
      createRedisWake({ url: "redis://127.0.0.1:1", publisher, log: recordingLog() }),
    ).rejects.toThrow();
    publisher.close();
  });

  test("while Redis cannot be reached it keeps trying, and wakes once it is back", async () => {
    const proxy = startProxy(new URL(requireEnv("TEST_REDIS_URL")));
    const publisher = connectRedis();
    const log = recordingLog();
    const wake = await createRedisWake({ url: proxy.url, publisher, log, retryMs: 20 });
    try {
      const woken = counter(wake);
      proxy.stop();
      await eventually(
        () => log.lines.filter((l) => l === "feed wake cannot reach Redis").length >= 2,
      );
      expect(woken.count()).toBe(0);
      proxy.restart();
      await eventually(() => woken.count() === 1, 10_000);
      wake.signal();
      await eventually(() => woken.count() === 2);
    } finally {
      await wake.close();
      publisher.close();
      proxy.stop();
    }
  });
});

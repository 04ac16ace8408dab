import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { createDeps } from "../../src/deps";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logging";
import { RedisConnection } from "../../src/platform/shared/redis-connection";
import { requireEnv, type ScratchDatabase } from "../support/backends";
import { createUser, expectProblem } from "../support/factories";
import {
  createKanbunDatabase,
  forgetRedisCounters,
  type Instance,
  openInstance,
} from "../support/instances";
import { startProxy } from "../support/tcp-proxy";

/**
 * The policy when Redis cannot be reached (decision 017): rate limits let requests through and
 * log it, failure budgets answer 503, and both count again once Redis is back. Redis is cut off
 * by a relay in front of it, as a network drop would.
 */

let database: ScratchDatabase;

beforeAll(async () => {
  await forgetRedisCounters();
  database = await createKanbunDatabase();
});

afterAll(async () => {
  await database.drop();
});

const warned = (instance: Instance, message: string) =>
  instance.logs.some((line) => line.level === "warn" && line.msg === message);

async function eventuallyStatus(ask: () => Promise<Response>, status: number, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const response = await ask();
    if (response.status === status || Date.now() > until) return response;
    await Bun.sleep(100);
  }
}

describe("Redis out of reach", () => {
  test("rate limits let requests through and log it; sign-ins answer 503; both recover", async () => {
    const proxy = startProxy(new URL(requireEnv("TEST_REDIS_URL")));
    const instance = await openInstance(database.url, {
      REDIS_URL: proxy.url,
      RATE_LIMIT_MAX: "100",
      AUTH_RATE_LIMIT_MAX: "10",
      AUTH_BAN_THRESHOLD: "0",
    });
    try {
      const user = await createUser(instance);
      const login = () =>
        instance.request("/api/v1/auth/login", {
          body: { email: user.email, password: user.password },
        });
      const counted = await instance.request("/api/v1/tasks");
      expect(counted.headers.get("ratelimit-limit")).toBe("100");

      proxy.stop();
      const through = await instance.request("/api/v1/tasks", { token: user.accessToken });
      expect(through.status).toBe(200);
      expect(through.headers.get("ratelimit-limit")).toBeNull();
      expect(warned(instance, "rate limit store unreachable; requests let through uncounted")).toBe(
        true,
      );
      const refused = await login();
      await expectProblem(refused, 503, "service_unavailable");
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(warned(instance, "failure budget store unreachable")).toBe(true);

      proxy.restart();
      expect((await eventuallyStatus(login, 200)).status).toBe(200);
      const again = await instance.request("/api/v1/tasks");
      expect(again.headers.get("ratelimit-limit")).toBe("100");
    } finally {
      await instance.close();
      proxy.stop();
    }
  });

  test("a server whose Redis cannot be reached at start refuses to start, naming it without the password", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const config = loadConfig({
      NODE_ENV: "test",
      DATABASE_PATH: ":memory:",
      JWT_SECRET: "x".repeat(40),
      REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${port}/0`,
    });
    const lines: string[] = [];
    const start = createDeps(config, { log: createLogger("debug", (line) => lines.push(line)) });
    const error = await start.then(
      () => null,
      (failure: unknown) => failure as Error,
    );
    expect(error?.message).toStartWith(
      `REDIS_URL: cannot reach Redis at redis://127.0.0.1:${port}/0`,
    );
    expect(error?.message).not.toContain("hunter2");
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  test("a Redis that accepts but never answers costs a command its timeout, not a hang", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const client = new RedisClient(`redis://127.0.0.1:${silent.port}`, {
      autoReconnect: false,
      enableOfflineQueue: false,
    });
    try {
      const started = performance.now();
      await expect(new RedisConnection(client, 200).send("PING", [])).rejects.toThrow(
        "Redis did not answer PING within 200 ms",
      );
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      client.close();
      silent.stop(true);
    }
  });
});

import { expect, test } from "bun:test";
import { createTestContext } from "./support/app";
import { createTask, createUser } from "./support/factories";

test("GET /metrics exposes request counts and latency by route template, memory and database size", async () => {
  const ctx = await createTestContext();
  const user = await createUser(ctx);
  const task = await createTask(ctx, user);
  await ctx.request(`/api/v1/tasks/${task.id}`, { token: user.accessToken });
  await ctx.request("/api/v1/tasks/999999", { token: user.accessToken });
  await ctx.request("/no/such/path/12345");
  // Metrics are recorded after each response is sent; let those hooks run.
  await Bun.sleep(5);

  const response = await ctx.request("/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const text = await response.text();

  expect(text).toContain(
    'http_requests_total{method="GET",route="/api/v1/tasks/:id",status="200"} 1',
  );
  expect(text).toContain(
    'http_requests_total{method="GET",route="/api/v1/tasks/:id",status="404"} 1',
  );
  expect(text).toContain('http_requests_total{method="POST",route="/api/v1/tasks",status="201"} 1');
  expect(text).toMatch(
    /http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/v1\/tasks\/:id",status="200"\} 1/,
  );
  // Raw ids and unknown paths never become label values.
  expect(text).not.toContain(`/api/v1/tasks/${task.id}"`);
  expect(text).not.toContain("/no/such/path");
  expect(text).toContain('route="unmatched",status="404"');

  const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1]);
  expect(rss).toBeGreaterThan(1_000_000);
  const dbSize = Number(/^kanbun_database_size_bytes (\d+)/m.exec(text)?.[1]);
  expect(dbSize).toBeGreaterThan(4096);
});

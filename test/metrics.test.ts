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

test("the latency histogram's buckets are cumulative and end in +Inf equal to the count", async () => {
  const ctx = await createTestContext();
  for (let i = 0; i < 3; i++) await ctx.request("/health");
  await Bun.sleep(5);
  const text = await (await ctx.request("/metrics")).text();
  const series = 'method="GET",route="/health",status="200"';
  const buckets = [
    ...text.matchAll(/^http_request_duration_seconds_bucket\{le="([^"]+)",(.*)\} (\d+)$/gm),
  ]
    .filter((match) => match[2] === series)
    .map((match) => ({ le: match[1], count: Number(match[3]) }));
  expect(buckets.map((bucket) => bucket.le)).toEqual([
    "0.001",
    "0.0025",
    "0.005",
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.25",
    "0.5",
    "1",
    "2.5",
    "+Inf",
  ]);
  for (let i = 1; i < buckets.length; i++) {
    expect(buckets[i]?.count).toBeGreaterThanOrEqual(buckets[i - 1]?.count ?? 0);
  }
  expect(buckets.at(-1)?.count).toBe(3);
  expect(text).toContain(`http_request_duration_seconds_count{${series}} 3`);
  expect(text).toContain(`http_requests_total{${series}} 3`);
  const sum = Number(
    new RegExp(`^http_request_duration_seconds_sum\\{${series}\\} (\\S+)$`, "m").exec(text)?.[1],
  );
  expect(sum).toBeGreaterThan(0);
  expect(sum).toBeLessThan(3);
});

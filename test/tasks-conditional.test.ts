import { describe, expect, test } from "bun:test";
import { createTestContext, type RequestOptions, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem } from "./support/factories";

const TASKS = "/api/v1/tasks";

interface TaskJson {
  id: number;
  title: string;
  version: number;
}

/** A signed-in user with one task, its path and its current ETag. */
async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const call = (path: string, init: RequestOptions = {}) =>
    ctx.request(path, { token: user.accessToken, ...init });
  const created = await call(TASKS, { body: { title: "Original", priority: 1 } });
  expect(created.status).toBe(201);
  const task = (await created.json()) as TaskJson;
  const etag = created.headers.get("etag") ?? "";
  expect(etag).toMatch(/^"[^"]+"$/);
  return { ctx, call, task, path: `${TASKS}/${task.id}`, etag };
}

async function read(call: (path: string) => Promise<Response>, path: string) {
  const response = await call(path);
  expect(response.status).toBe(200);
  return { etag: response.headers.get("etag"), task: (await response.json()) as TaskJson };
}

describe("GET with If-None-Match", () => {
  test("the current ETag gets 304 with the ETag and no body", async () => {
    const { call, path, etag } = await setup();
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, "*"]) {
      const response = await call(path, { headers: { "if-none-match": header } });
      expect(response.status).toBe(304);
      expect(response.headers.get("etag")).toBe(etag);
      expect(await response.text()).toBe("");
    }
  });

  test("another ETag gets 200 with the task", async () => {
    const { call, path, etag, task } = await setup();
    const response = await call(path, { headers: { "if-none-match": '"something-else"' } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(response.headers.get("etag")).toBe(etag);
    expect(await response.json()).toMatchObject({ id: task.id, title: "Original" });
  });

  test("after a change the old ETag no longer matches", async () => {
    const { call, path, etag } = await setup();
    const patch = await call(path, { method: "PATCH", body: { title: "Changed" } });
    expect(patch.status).toBe(200);
    const newEtag = patch.headers.get("etag");
    expect(newEtag).not.toBe(etag);
    const stale = await call(path, { headers: { "if-none-match": etag } });
    expect(stale.status).toBe(200);
    expect(((await stale.json()) as TaskJson).title).toBe("Changed");
    expect((await call(path, { headers: { "if-none-match": newEtag ?? "" } })).status).toBe(304);
  });

  test("a missing task is still 404", async () => {
    const { call } = await setup();
    await expectProblem(
      await call(`${TASKS}/999999`, { headers: { "if-none-match": "*" } }),
      404,
      "not_found",
    );
  });
});

describe("writes with If-Match", () => {
  for (const method of ["PUT", "PATCH"]) {
    test(`${method} with a stale ETag is 412 and changes nothing`, async () => {
      const { call, path, etag } = await setup();
      const first = await call(path, {
        method,
        body: { title: "First" },
        headers: { "if-match": etag },
      });
      expect(first.status).toBe(200);
      const before = await read(call, path);

      for (const stale of [etag, `W/${before.etag}`, '"0.0"']) {
        const response = await call(path, {
          method,
          body: { title: "Lost" },
          headers: { "if-match": stale },
        });
        const problem = await expectProblem(response, 412, "precondition_failed");
        expect(problem.instance).toBe(path);
      }
      const after = await read(call, path);
      expect(after).toEqual(before);
      expect(after.task).toMatchObject({ title: "First", version: 2 });
    });

    test(`${method} with the current ETag, a list holding it, or * succeeds`, async () => {
      const { call, path, etag } = await setup();
      const exact = await call(path, {
        method,
        body: { priority: 2 },
        headers: { "if-match": etag },
      });
      expect(exact.status).toBe(200);
      expect(await exact.json()).toMatchObject({ priority: 2, version: 2 });
      const listed = await call(path, {
        method,
        body: { priority: 3 },
        headers: { "if-match": `"old", ${exact.headers.get("etag")}` },
      });
      expect(listed.status).toBe(200);
      const star = await call(path, {
        method,
        body: { priority: 4 },
        headers: { "if-match": "*" },
      });
      expect(star.status).toBe(200);
      expect(await star.json()).toMatchObject({ priority: 4, version: 4 });
    });
  }

  test("DELETE with a stale ETag is 412 and the task stays; the current one deletes", async () => {
    const { call, path, etag } = await setup();
    await call(path, { method: "PATCH", body: { title: "Moved on" } });
    const before = await read(call, path);
    await expectProblem(
      await call(path, { method: "DELETE", headers: { "if-match": etag } }),
      412,
      "precondition_failed",
    );
    expect(await read(call, path)).toEqual(before);
    const response = await call(path, {
      method: "DELETE",
      headers: { "if-match": before.etag ?? "" },
    });
    expect(response.status).toBe(204);
    await expectProblem(await call(path), 404, "not_found");
  });

  test("DELETE with If-Match: * deletes", async () => {
    const { call, path } = await setup();
    expect((await call(path, { method: "DELETE", headers: { "if-match": "*" } })).status).toBe(204);
    await expectProblem(await call(path), 404, "not_found");
  });

  test("If-Match on a task that does not exist is 404, not 412", async () => {
    const { call, etag } = await setup();
    const missing = `${TASKS}/999999`;
    await expectProblem(
      await call(missing, { method: "PATCH", body: { title: "x" }, headers: { "if-match": etag } }),
      404,
      "not_found",
    );
    await expectProblem(
      await call(missing, { method: "DELETE", headers: { "if-match": "*" } }),
      404,
      "not_found",
    );
  });

  test("two concurrent PATCHes with the same ETag: exactly one wins", async () => {
    const { call, path, etag } = await setup();
    const responses = await Promise.all(
      ["Left", "Right"].map((title) =>
        call(path, { method: "PATCH", body: { title }, headers: { "if-match": etag } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 412]);
    const winner = responses.find((response) => response.status === 200);
    const loser = responses.find((response) => response.status === 412);
    if (!winner || !loser) throw new Error("expected one winner and one loser");
    await expectProblem(loser, 412, "precondition_failed");
    const won = (await winner.json()) as TaskJson;
    const now = await read(call, path);
    expect(now.task).toEqual(won);
    expect(now.task.version).toBe(2);
    expect(now.etag).toBe(winner.headers.get("etag"));
  });

  test("a no-op PATCH keeps the ETag, so a client's If-Match still holds", async () => {
    const { call, path, etag } = await setup();
    const noop = await call(path, {
      method: "PATCH",
      body: { title: "Original" },
      headers: { "if-match": etag },
    });
    expect(noop.status).toBe(200);
    expect(noop.headers.get("etag")).toBe(etag);
    const next = await call(path, {
      method: "PATCH",
      body: { title: "Real change" },
      headers: { "if-match": etag },
    });
    expect(next.status).toBe(200);
  });
});

import { describe, expect, test } from "bun:test";
import { createTestContext, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser, expectProblem } from "./support/factories";

// PostgreSQL's text cannot hold the NUL character and SQLite's can: the API refuses it on both,
// so a request means the same on either database and nothing half-written is left behind.
describe("the NUL character in text", () => {
  test("a body string holding it is 422 naming the field, and nothing is stored", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const post = (body: unknown) => ctx.request("/api/v1/tasks", { token: user.accessToken, body });
    const problem = await expectProblem(
      await post({ title: "before\u0000after", tags: ["fine", "b\u0000d"] }),
      422,
      "validation_error",
    );
    expect(problem.errors).toEqual([
      { path: "/title", message: "Must not contain the NUL character (U+0000)" },
      { path: "/tags/1", message: "Must not contain the NUL character (U+0000)" },
    ]);
    const list = await ctx.request("/api/v1/tasks", { token: user.accessToken });
    expect(await list.json()).toEqual([]);
    // The same text without it is taken as usual.
    expect((await post({ title: "before after" })).status).toBe(201);
  });

  test("an update holding it changes nothing", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const task = await createTask(ctx, user, { title: "kept" });
    const patch = await ctx.request(`/api/v1/tasks/${task.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { description: "\u0000" },
    });
    await expectProblem(patch, 422, "validation_error");
    const stored = await ctx.request(`/api/v1/tasks/${task.id}`, { token: user.accessToken });
    expect(await stored.json()).toMatchObject({ title: "kept", description: "", version: 1 });
  });

  test("a query parameter holding it is 422 naming the parameter, never a 500", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    for (const query of ["tag=a%00b", "q=plan%00", "limit=5&tag=%00"]) {
      const response = await ctx.request(`/api/v1/tasks?${query}`, { token: user.accessToken });
      const problem = await expectProblem(response, 422, "validation_error");
      expect(problem.errors?.map((error: { path: string }) => error.path)).toEqual([
        query.includes("q=") ? "/q" : "/tag",
      ]);
    }
  });
});

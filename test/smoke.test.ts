import { expect, test } from "bun:test";
import { createTestContext } from "./support/app";
import { createTask, createUser, expectProblem } from "./support/factories";

test("a user signs up, logs in and creates a task", async () => {
  const ctx = await createTestContext();
  const user = await createUser(ctx);
  const task = await createTask(ctx, user, { title: "  hello  ", tags: ["B", "a"] });
  expect(task.title).toBe("hello");
  expect(task.tags).toEqual(["a", "b"]);
  const list = await ctx.request("/api/v1/tasks", { token: user.accessToken });
  expect(list.headers.get("x-total-count")).toBe("1");
  await expectProblem(await ctx.request("/api/v1/tasks"), 401, "unauthorized_error");
});

import { beforeAll, describe, expect, test } from "bun:test";
import { REPEATED_QUERY_MESSAGE } from "../src/platform/http/router";
import { createUserWithRole } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

// A query parameter a route declares once must come once: Elysia would keep only the last value.
let ctx: TestContext;
let user: TestUser;
let admin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext(UNTHROTTLED_ENV);
  user = await createUser(ctx);
  admin = await createUserWithRole(ctx, "admin");
  await createTask(ctx, user, { title: "alpha", tags: ["a"] });
  await createTask(ctx, user, { title: "beta", tags: ["b"] });
  await createTask(ctx, user, { title: "both", tags: ["a", "b"] });
});

async function expectRepeated(response: Response, names: string[]) {
  const body = await expectProblem(response, 422, "validation_error");
  expect(body.errors).toEqual(
    names.map((name) => ({ path: `/${name}`, message: REPEATED_QUERY_MESSAGE })),
  );
  expect(body.detail).toStartWith(`Invalid query parameter ${names[0]}: Give this parameter once`);
  return body;
}

const titles = async (response: Response) => {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  return ((await response.json()) as { title: string }[]).map((task) => task.title).sort();
};

describe("GET /api/v1/tasks", () => {
  const list = (query: string, token = user.accessToken) =>
    ctx.request(`/api/v1/tasks?${query}`, { token });

  test("a repeated limit is 422 naming it, not the last value", async () => {
    await expectRepeated(await list("limit=1&limit=2"), ["limit"]);
  });

  test("a repeated tag is 422, not an empty list", async () => {
    await expectRepeated(await list("tag=a&tag=b"), ["tag"]);
  });

  test("the same value twice is still a repeat", async () => {
    await expectRepeated(await list("completed=false&completed=false"), ["completed"]);
  });

  test("every repeated parameter is named, in order, once each", async () => {
    const body = await expectRepeated(await list("tag=a&limit=1&tag=b&limit=2&tag=c"), [
      "tag",
      "limit",
    ]);
    expect(body.detail).toBe("Invalid query parameter tag: Give this parameter once (and 1 more)");
  });

  test("a name written two ways is the same parameter", async () => {
    await expectRepeated(await list("li%6Dit=1&limit=2"), ["limit"]);
    await expectRepeated(await list("q=a+b&%71=c"), ["q"]);
  });

  test("a repeat with an invalid value is still 422 for that parameter", async () => {
    for (const query of ["limit=abc&limit=2", "limit=2&limit=abc"]) {
      const body = await expectProblem(await list(query), 422, "validation_error");
      expect(body.errors?.map((error) => error.path)).toEqual(["/limit"]);
    }
  });

  test("single values keep working", async () => {
    expect(await titles(await list("tag=a"))).toEqual(["alpha", "both"]);
    expect(await titles(await list("tag=b&limit=1&sort=title"))).toEqual(["beta"]);
    expect(await titles(await list(""))).toEqual(["alpha", "beta", "both"]);
  });

  test("an anonymous caller gets 401 first", async () => {
    const response = await ctx.request("/api/v1/tasks?limit=1&limit=2");
    await expectProblem(response, 401, "unauthorized_error");
  });
});

describe("GET /api/v1/admin/users", () => {
  const list = (query: string, token = admin.accessToken) =>
    ctx.request(`/api/v1/admin/users?${query}`, { token });

  test("a repeated limit or q is 422 naming it", async () => {
    await expectRepeated(await list("limit=1&limit=2"), ["limit"]);
    await expectRepeated(await list(`q=${user.username}&q=nobody`), ["q"]);
    await expectRepeated(await list("offset=0&offset=1"), ["offset"]);
  });

  test("single values keep working", async () => {
    const response = await list(`q=${user.username}&limit=5`);
    expect(response.status).toBe(200);
    const users = (await response.json()) as { username: string }[];
    expect(users.map((found) => found.username)).toEqual([user.username]);
    expect(response.headers.get("x-total-count")).toBe("1");
  });

  test("a caller without the admin role gets 403 first", async () => {
    await expectProblem(await list("limit=1&limit=2", user.accessToken), 403, "forbidden_access");
  });
});

test("a route without query parameters ignores repeats", async () => {
  const response = await ctx.request("/api/v1/users/me?x=1&x=2", { token: user.accessToken });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { id: number }).id).toBe(user.id);
});

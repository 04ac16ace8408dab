import { describe, expect, test } from "bun:test";
import { expectJsonBody } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";

interface Results {
  tasks: { title: string }[];
  boards: { name: string; role: string }[];
  comments: { body: string }[];
}

async function search(ctx: TestContext, user: TestUser, query: string) {
  const response = await ctx.request(`/api/v1/search?${query}`, { token: user.accessToken });
  const body = await expectJsonBody<Results>(response);
  return {
    tasks: body.tasks.map((task) => task.title),
    boards: body.boards.map((board) => `${board.name} (${board.role})`),
    comments: body.comments.map((comment) => comment.body),
  };
}

async function world() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const alice = await createUser(ctx);
  const bob = await createUser(ctx);
  const eve = await createUser(ctx);
  const launch = await createBoard(ctx, alice, {
    name: "Rocket launch",
    description: "Everything about the launch",
  });
  await putMember(ctx, launch.id, bob, "viewer");
  const list = await createList(ctx, alice, launch.id);
  const card = await createCard(ctx, alice, list.id, { title: "Fuel the rocket" });
  await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
    token: alice.accessToken,
    body: { body: "Rocket fuel ordered" },
  });
  const personal = await createTask(ctx, bob, { title: "Buy a toy rocket" });
  await ctx.request(`/api/v1/tasks/${personal.id}/comments`, {
    token: bob.accessToken,
    body: { body: "A red rocket" },
  });
  const secret = await createBoard(ctx, eve, { name: "Secret rocket" });
  const secretList = await createList(ctx, eve, secret.id);
  const secretCard = await createCard(ctx, eve, secretList.id, { title: "Rocket plans" });
  await ctx.request(`/api/v1/tasks/${secretCard.id}/comments`, {
    token: eve.accessToken,
    body: { body: "Rocket secret" },
  });
  return { ctx, alice, bob, eve };
}

describe("GET /search", () => {
  test("finds tasks, boards and comments the caller can see, and nothing else", async () => {
    const { ctx, alice, bob, eve } = await world();
    expect(await search(ctx, bob, "q=rocket")).toEqual({
      tasks: expect.arrayContaining(["Buy a toy rocket", "Fuel the rocket"]),
      boards: ["Rocket launch (viewer)"],
      comments: expect.arrayContaining(["A red rocket", "Rocket fuel ordered"]),
    });
    const bobs = await search(ctx, bob, "q=rocket");
    expect([bobs.tasks.length, bobs.comments.length]).toEqual([2, 2]);
    expect(await search(ctx, alice, "q=rocket")).toEqual({
      tasks: ["Fuel the rocket"],
      boards: ["Rocket launch (owner)"],
      comments: ["Rocket fuel ordered"],
    });
    expect(await search(ctx, eve, "q=launch")).toEqual({ tasks: [], boards: [], comments: [] });
    // Prefixes match; words must all match.
    expect((await search(ctx, bob, "q=roc fu")).tasks).toEqual(["Fuel the rocket"]);
  });

  test("each kind is ranked best first (bm25) and cut at limit", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    await createBoard(ctx, alice, { name: "Misc", description: "has garden once" });
    await createBoard(ctx, alice, { name: "Garden", description: "garden garden" });
    await createTask(ctx, alice, { title: "Other", description: "the garden" });
    await createTask(ctx, alice, { title: "Garden weeding" });
    const results = await search(ctx, alice, "q=garden");
    expect(results.boards).toEqual(["Garden (owner)", "Misc (owner)"]);
    expect(results.tasks).toEqual(["Garden weeding", "Other"]);
    expect((await search(ctx, alice, "q=garden&limit=1")).boards).toEqual(["Garden (owner)"]);
  });

  test("boards and comments take the task search's words: cut to eight characters, any accent", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    const board = await createBoard(ctx, alice, { name: "International fair" });
    const list = await createList(ctx, alice, board.id);
    const card = await createCard(ctx, alice, list.id, { title: "Internationally shipped" });
    await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
      token: alice.accessToken,
      body: { body: "The internationals café" },
    });
    const everything = {
      tasks: ["Internationally shipped"],
      boards: ["International fair (owner)"],
      comments: ["The internationals café"],
    };
    // Past eight characters a word no longer narrows the match, in every kind alike.
    expect(await search(ctx, alice, "q=internatxyz")).toEqual(everything);
    expect(await search(ctx, alice, `q=${encodeURIComponent("ÍNTERNATIONAL")}`)).toEqual(
      everything,
    );
    expect((await search(ctx, alice, `q=${encodeURIComponent("cafe fair")}`)).comments).toEqual([]);
    expect((await search(ctx, alice, "q=cafe")).comments).toEqual(["The internationals café"]);
    expect(await search(ctx, alice, "q=interx")).toEqual({ tasks: [], boards: [], comments: [] });
  });

  test("a query without words finds nothing; bad parameters are 422", async () => {
    const { ctx, bob } = await world();
    expect(await search(ctx, bob, `q=${encodeURIComponent('"* ( )')}`)).toEqual({
      tasks: [],
      boards: [],
      comments: [],
    });
    for (const query of ["", "q=", "q=x&limit=0", "q=x&limit=51", "q=x&kind=tasks"]) {
      await expectProblem(
        await ctx.request(`/api/v1/search?${query}`, { token: bob.accessToken }),
        422,
        "validation_error",
      );
    }
  });
});

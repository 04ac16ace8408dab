import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { type BoardDetailJson, type ListJson, putMember } from "./support/boards";
import { createUser, type TestUser } from "./support/factories";
import { createFileApp } from "./support/file-app";
import type { MoveOrder } from "./support/move-worker";

/**
 * Concurrent moves never leave duplicate or missing positions.
 *
 * bun:sqlite runs statements synchronously, so inside one process requests interleave only at
 * their awaits (token verification, reading the body). What can race there is a read of the
 * positions before an await and a write after it; every board change reads and writes inside
 * one synchronous transaction instead, and the first tests fire many requests at once to catch
 * any that does not. Separate connections (a second server, a CLI) do run at the same time:
 * the last test has worker threads, each with its own connection to one database file, moving
 * the same cards, which needs the write lock taken up front (BEGIN IMMEDIATE).
 */

type Request = (path: string, init?: Parameters<TestContext["request"]>[1]) => Promise<Response>;

/** A tiny deterministic random source, so a failure can be replayed. */
function seeded(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % below;
  };
}

async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function buildBoard(request: Request, owner: TestUser, lists: number, cards: number) {
  const board = await json<{ id: number }>(
    await request("/api/v1/boards", { token: owner.accessToken, body: { name: "Race" } }),
    201,
  );
  const made: ListJson[] = [];
  for (let i = 0; i < lists; i++) {
    const list = await request(`/api/v1/boards/${board.id}/lists`, {
      token: owner.accessToken,
      body: { name: `L${i}` },
    });
    made.push(await json<ListJson>(list, 201));
  }
  const cardIds: number[] = [];
  for (let i = 0; i < cards; i++) {
    const card = await request("/api/v1/tasks", {
      token: owner.accessToken,
      body: { title: `C${i}`, list_id: made[i % lists]?.id },
    });
    cardIds.push((await json<{ id: number }>(card, 201)).id);
  }
  return { boardId: board.id, listIds: made.map((list) => list.id), cardIds };
}

/** Every list and every list's cards at 0..n-1, each card exactly once. */
function expectDense(board: BoardDetailJson, cardIds: number[], listCount: number) {
  expect(board.lists.map((list) => list.position)).toEqual(
    Array.from({ length: listCount }, (_, i) => i),
  );
  for (const list of board.lists) {
    expect({ list: list.id, positions: list.cards.map((card) => card.position) }).toEqual({
      list: list.id,
      positions: list.cards.map((_, i) => i),
    });
  }
  const placed = board.lists.flatMap((list) => list.cards.map((card) => card.id));
  expect([...placed].sort((a, b) => a - b)).toEqual([...cardIds].sort((a, b) => a - b));
}

describe("concurrent requests in one process", () => {
  test("200 moves at once from three editors leave every list dense, every card once", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const owner = await createUser(ctx);
    const { boardId, listIds, cardIds } = await buildBoard(ctx.request, owner, 4, 40);
    const editors = [owner, await createUser(ctx), await createUser(ctx)];
    for (const editor of editors.slice(1)) await putMember(ctx, boardId, editor, "editor");
    const random = seeded(1);
    const moves = Array.from({ length: 200 }, () => {
      const body: { list_id?: number; position?: number } = { position: random(45) };
      if (random(3) > 0) body.list_id = listIds[random(listIds.length)];
      const editor = editors[random(editors.length)] as TestUser;
      return ctx.request(`/api/v1/tasks/${cardIds[random(cardIds.length)]}`, {
        method: "PATCH",
        token: editor.accessToken,
        body,
      });
    });
    const statuses = (await Promise.all(moves)).map((response) => response.status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const board = await json<BoardDetailJson>(
      await ctx.request(`/api/v1/boards/${boardId}`, { token: owner.accessToken }),
    );
    expectDense(board, cardIds, 4);
  });

  test("creations, list moves and deletions at once stay dense too", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const owner = await createUser(ctx);
    const { boardId, listIds, cardIds } = await buildBoard(ctx.request, owner, 3, 12);
    const random = seeded(2);
    const token = owner.accessToken;
    const created: Promise<Response>[] = [];
    const others: Promise<Response>[] = [];
    for (let i = 0; i < 30; i++) {
      created.push(
        ctx.request("/api/v1/tasks", {
          token,
          body: { title: `new ${i}`, list_id: listIds[random(3)], position: random(5) },
        }),
      );
      others.push(
        ctx.request(`/api/v1/lists/${listIds[random(3)]}`, {
          method: "PATCH",
          token,
          body: { position: random(4) },
        }),
      );
    }
    const doomed = cardIds.splice(0, 6);
    for (const id of doomed) {
      others.push(ctx.request(`/api/v1/tasks/${id}`, { method: "DELETE", token }));
    }
    const newLists = Array.from({ length: 5 }, (_, i) =>
      ctx.request(`/api/v1/boards/${boardId}/lists`, {
        token,
        body: { name: `N${i}`, position: 0 },
      }),
    );
    const [made, rest, lists] = await Promise.all([
      Promise.all(created),
      Promise.all(others),
      Promise.all(newLists),
    ]);
    expect([...made, ...lists].every((response) => response.status === 201)).toBe(true);
    expect(rest.every((response) => response.status < 300)).toBe(true);
    for (const response of made) cardIds.push((await json<{ id: number }>(response, 201)).id);
    const board = await json<BoardDetailJson>(
      await ctx.request(`/api/v1/boards/${boardId}`, { token }),
    );
    expectDense(board, cardIds, 8);
  });
});

describe("concurrent writers on separate connections", () => {
  const dir = mkdtempSync(join(tmpdir(), "kanbun-race-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("four servers on one database file moving the same cards leave every list dense", async () => {
    const path = join(dir, "race.db");
    const main = await createFileApp(path);
    const owner = await createUser(main);
    const { boardId, listIds, cardIds } = await buildBoard(main.request, owner, 3, 24);
    const random = seeded(3);
    const orders = (count: number): MoveOrder[] =>
      Array.from({ length: count }, () => ({
        token: owner.accessToken,
        cardId: cardIds[random(cardIds.length)] as number,
        body: { list_id: listIds[random(listIds.length)], position: random(30) },
      }));
    const workers = Array.from(
      { length: 4 },
      () => new Worker(new URL("./support/move-worker.ts", import.meta.url)),
    );
    try {
      const results = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<(number | string)[]>((resolve, reject) => {
              worker.onmessage = (event: MessageEvent<(number | string)[]>) => resolve(event.data);
              worker.onerror = (error) => reject(error);
              worker.postMessage({ path, moves: orders(40) });
            }),
        ),
      );
      expect(results.flat().filter((status) => status !== 200)).toEqual([]);
      expect(results.flat()).toHaveLength(160);
    } finally {
      for (const worker of workers) worker.terminate();
    }
    const board = await json<BoardDetailJson>(
      await main.request(`/api/v1/boards/${boardId}`, { token: owner.accessToken }),
    );
    expectDense(board, cardIds, 3);
    main.close();
  });
});

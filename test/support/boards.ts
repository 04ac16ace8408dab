import type { TestContext } from "./app";
import type { TestUser } from "./factories";

/** Board test helpers: each calls the HTTP API and throws on an unexpected status. */

export interface BoardJson {
  id: number;
  name: string;
  description: string;
  owner_id: number;
  role: string;
  version: number;
  [key: string]: unknown;
}

export interface ListJson {
  id: number;
  board_id: number;
  name: string;
  position: number;
  [key: string]: unknown;
}

export interface CardJson {
  id: number;
  title: string;
  board_id: number | null;
  list_id: number | null;
  position: number;
  assignee_id: number | null;
  version: number;
  [key: string]: unknown;
}

export interface BoardDetailJson extends BoardJson {
  lists: (ListJson & { cards: CardJson[] })[];
  members: { user_id: number; username: string; role: string }[];
}

async function expectStatus<T>(response: Response, status: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

let boardSequence = 0;

export async function createBoard(
  ctx: TestContext,
  user: TestUser,
  body: Record<string, unknown> = {},
): Promise<BoardJson> {
  boardSequence += 1;
  const response = await ctx.request("/api/v1/boards", {
    token: user.accessToken,
    body: { name: `Board ${boardSequence}`, ...body },
  });
  return expectStatus(response, 201, "create board");
}

export async function addMember(
  ctx: TestContext,
  owner: TestUser,
  boardId: number,
  member: TestUser,
  role: "editor" | "viewer",
) {
  const response = await ctx.request(`/api/v1/boards/${boardId}/members`, {
    token: owner.accessToken,
    body: { user: member.username, role },
  });
  return expectStatus<{ user_id: number; role: string }>(response, 201, "add member");
}

export async function createList(
  ctx: TestContext,
  user: TestUser,
  boardId: number,
  body: Record<string, unknown> = {},
): Promise<ListJson> {
  boardSequence += 1;
  const response = await ctx.request(`/api/v1/boards/${boardId}/lists`, {
    token: user.accessToken,
    body: { name: `List ${boardSequence}`, ...body },
  });
  return expectStatus(response, 201, "create list");
}

export async function createCard(
  ctx: TestContext,
  user: TestUser,
  listId: number,
  body: Record<string, unknown> = {},
): Promise<CardJson> {
  boardSequence += 1;
  const response = await ctx.request("/api/v1/tasks", {
    token: user.accessToken,
    body: { title: `Card ${boardSequence}`, list_id: listId, ...body },
  });
  return expectStatus(response, 201, "create card");
}

export async function getBoard(
  ctx: TestContext,
  user: TestUser,
  boardId: number,
): Promise<BoardDetailJson> {
  const response = await ctx.request(`/api/v1/boards/${boardId}`, { token: user.accessToken });
  return expectStatus(response, 200, "get board");
}

export async function moveCard(
  ctx: TestContext,
  user: TestUser,
  cardId: number,
  body: { list_id?: number; position?: number },
): Promise<Response> {
  return ctx.request(`/api/v1/tasks/${cardId}`, {
    method: "PATCH",
    token: user.accessToken,
    body,
  });
}

/** The board's cards as `{list name: [card titles in order]}`, and checks positions are dense. */
export function layoutOf(board: BoardDetailJson): Record<string, string[]> {
  const layout: Record<string, string[]> = {};
  board.lists.forEach((list, index) => {
    if (list.position !== index)
      throw new Error(`list ${list.id} at ${list.position}, not ${index}`);
    list.cards.forEach((card, at) => {
      if (card.position !== at) throw new Error(`card ${card.id} at ${card.position}, not ${at}`);
    });
    layout[list.name] = list.cards.map((card) => card.title);
  });
  return layout;
}

/**
 * Test setup: makes a user a member straight in the database, for tests that add many members
 * and are not about adding them (additions through the API are rate-limited per caller).
 */
export async function putMember(
  ctx: TestContext,
  boardId: number,
  user: { id: number },
  role: "owner" | "editor" | "viewer",
): Promise<void> {
  await ctx.deps.sql.run(
    "INSERT INTO board_members (board_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
    [boardId, user.id, role, ctx.clock.now()],
  );
}

export interface Team {
  owner: TestUser;
  editor: TestUser;
  viewer: TestUser;
  /** A member of nothing here. */
  outsider: TestUser;
}

/** A board of the team's with two lists, a card on the first, and a comment by owner and editor. */
export async function teamBoard(ctx: TestContext, team: Team) {
  const board = await createBoard(ctx, team.owner);
  await putMember(ctx, board.id, team.editor, "editor");
  await putMember(ctx, board.id, team.viewer, "viewer");
  const list = await createList(ctx, team.owner, board.id, { name: "Todo" });
  const otherList = await createList(ctx, team.owner, board.id, { name: "Done" });
  const card = await createCard(ctx, team.owner, list.id, { title: "Card" });
  const comment = async (author: TestUser) => {
    const response = await ctx.request(`/api/v1/tasks/${card.id}/comments`, {
      token: author.accessToken,
      body: { body: `Said by ${author.username}` },
    });
    return expectStatus<{ id: number }>(response, 201, "comment");
  };
  return {
    board,
    list,
    otherList,
    card,
    ownerComment: await comment(team.owner),
    editorComment: await comment(team.editor),
  };
}

import type { ActorContext } from "../../platform/context";
import { NotFound } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { assertIfMatch, type Preconditions } from "../../platform/preconditions";
import { presentTask, type TaskView } from "../tasks/present";
import { selectBoardCardRows, selectBoardTags } from "../tasks/rows";
import { authorizeBoard, NOT_FOUND } from "./access";
import { recordBoardChange } from "./changes";
import { recordBoardDeleted, recordBoardUpdated, recordMemberSaved } from "./events";
import { selectListsOf } from "./list-rows";
import {
  type BoardDetailView,
  type BoardView,
  boardEtag,
  presentBoard,
  presentList,
  presentMember,
} from "./present";
import {
  deleteBoardRows,
  insertBoard,
  insertMember,
  type StoredBoard,
  selectBoard,
  selectBoardsOf,
  selectMember,
  selectMembers,
  updateBoardFields,
} from "./rows";

export interface BoardFields {
  name?: string;
  description?: string;
}

export async function createBoard(
  { deps, actor }: ActorContext,
  input: BoardFields & { name: string },
): Promise<BoardView> {
  const name = input.name.trim();
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    const board = await insertBoard(deps.sql, {
      ownerId: actor.userId,
      name,
      description: input.description ?? "",
      now,
    });
    await insertMember(deps.sql, { boardId: board.id, userId: actor.userId, role: "owner", now });
    // There is no board.created: the owner's other devices learn of it as their membership.
    const owner = await selectMember(deps.sql, board.id, actor.userId);
    if (owner) await recordMemberSaved(deps.sql, now, "member.added", board.id, owner);
    await recordBoardChange(deps.sql, now, {
      boardId: board.id,
      actorId: actor.userId,
      action: "board.created",
      subjectType: "board",
      subjectId: board.id,
      data: { name: board.name },
    });
    return presentBoard(board, "owner");
  });
}

export interface BoardPage {
  items: BoardView[];
  total: number;
  limit: number;
  offset: number;
}

/** The boards the caller owns or belongs to, newest first, with their role on each. */
export async function listBoards(
  { deps, actor }: ActorContext,
  input: { limit?: number; offset?: number },
): Promise<BoardPage> {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const { rows, total } = await selectBoardsOf(deps.sql, actor.userId, limit, offset);
  return { items: rows.map((row) => presentBoard(row, row.role)), total, limit, offset };
}

/** The board with its lists in order, each with its cards in order, and its members. */
export async function getBoard(
  { deps, actor }: ActorContext,
  boardId: number,
): Promise<BoardDetailView> {
  // One read transaction, so the parts agree with each other.
  return await deps.sql.readTransaction(async () => {
    const role = await authorizeBoard(deps.sql, actor.userId, boardId, "board.read");
    const board = await mustFindBoard(deps.sql, boardId);
    const cardsByList = await selectCardsByList(deps.sql, boardId);
    return {
      ...presentBoard(board, role),
      lists: (await selectListsOf(deps.sql, boardId)).map((list) => ({
        ...presentList(list),
        cards: cardsByList.get(list.id) ?? [],
      })),
      members: (await selectMembers(deps.sql, boardId)).map(presentMember),
    };
  });
}

/** Renames or re-describes the board (owner only); a no-op changes nothing, not even the ETag. */
export async function updateBoard(
  { deps, actor }: ActorContext,
  boardId: number,
  input: BoardFields,
  preconditions: Preconditions = {},
): Promise<BoardView> {
  const name = input.name?.trim();
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    const role = await authorizeBoard(deps.sql, actor.userId, boardId, "board.update");
    const current = await mustFindBoard(deps.sql, boardId);
    assertIfMatch(boardEtag(current), preconditions);
    const next = {
      name: name ?? current.name,
      description: input.description ?? current.description,
    };
    const changed = (["name", "description"] as const).filter((key) => next[key] !== current[key]);
    if (changed.length === 0) return presentBoard(current, role);
    await updateBoardFields(deps.sql, boardId, next);
    await recordBoardChange(deps.sql, now, {
      boardId,
      actorId: actor.userId,
      action: "board.updated",
      subjectType: "board",
      subjectId: boardId,
      data: {
        fields: changed,
        ...(changed.includes("name") ? { name: next.name, previous_name: current.name } : {}),
      },
    });
    await recordBoardUpdated(deps.sql, now, boardId);
    return presentBoard(await mustFindBoard(deps.sql, boardId), role);
  });
}

/** Deletes the board with its lists, cards, comments and activity (owner only). */
export async function deleteBoard(
  { deps, actor }: ActorContext,
  boardId: number,
  preconditions: Preconditions = {},
): Promise<void> {
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    await authorizeBoard(deps.sql, actor.userId, boardId, "board.delete");
    const current = await mustFindBoard(deps.sql, boardId);
    assertIfMatch(boardEtag(current), preconditions);
    await recordBoardDeleted(deps.sql, now, current);
    await deleteBoardRows(deps.sql, boardId);
  });
}

async function selectCardsByList(sql: ActorContext["deps"]["sql"], boardId: number) {
  const tags = await selectBoardTags(sql, boardId);
  const byList = new Map<number, TaskView[]>();
  for (const row of await selectBoardCardRows(sql, boardId)) {
    const card = presentTask(row, tags.get(row.id) ?? []);
    const list = byList.get(row.listId ?? 0);
    if (list) list.push(card);
    else byList.set(row.listId ?? 0, [card]);
  }
  return byList;
}

async function mustFindBoard(
  sql: ActorContext["deps"]["sql"],
  boardId: number,
): Promise<StoredBoard> {
  const board = await selectBoard(sql, boardId);
  // A member row always has its board (the foreign key cascades), so this is only a safeguard.
  if (!board) throw new NotFound(NOT_FOUND.board);
  return board;
}

import type { ActorContext } from "../../platform/context";
import { writeTransaction } from "../../platform/db/tx";
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

export function createBoard(
  { deps, actor }: ActorContext,
  input: BoardFields & { name: string },
): BoardView {
  const name = input.name.trim();
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    const board = insertBoard(deps.sqlite, {
      ownerId: actor.userId,
      name,
      description: input.description ?? "",
      now,
    });
    insertMember(deps.sqlite, { boardId: board.id, userId: actor.userId, role: "owner", now });
    // There is no board.created: the owner's other devices learn of it as their membership.
    const owner = selectMember(deps.sqlite, board.id, actor.userId);
    if (owner) recordMemberSaved(deps.sqlite, now, "member.added", board.id, owner);
    recordBoardChange(deps.sqlite, now, {
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
export function listBoards(
  { deps, actor }: ActorContext,
  input: { limit?: number; offset?: number },
): BoardPage {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const { rows, total } = selectBoardsOf(deps.sqlite, actor.userId, limit, offset);
  return { items: rows.map((row) => presentBoard(row, row.role)), total, limit, offset };
}

/** The board with its lists in order, each with its cards in order, and its members. */
export function getBoard({ deps, actor }: ActorContext, boardId: number): BoardDetailView {
  // One read transaction, so the parts agree with each other.
  return deps.sqlite.transaction(() => {
    const role = authorizeBoard(deps.sqlite, actor.userId, boardId, "board.read");
    const board = mustFindBoard(deps.sqlite, boardId);
    const cardsByList = selectCardsByList(deps.sqlite, boardId);
    return {
      ...presentBoard(board, role),
      lists: selectListsOf(deps.sqlite, boardId).map((list) => ({
        ...presentList(list),
        cards: cardsByList.get(list.id) ?? [],
      })),
      members: selectMembers(deps.sqlite, boardId).map(presentMember),
    };
  })();
}

/** Renames or re-describes the board (owner only); a no-op changes nothing, not even the ETag. */
export function updateBoard(
  { deps, actor }: ActorContext,
  boardId: number,
  input: BoardFields,
  preconditions: Preconditions = {},
): BoardView {
  const name = input.name?.trim();
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    const role = authorizeBoard(deps.sqlite, actor.userId, boardId, "board.update");
    const current = mustFindBoard(deps.sqlite, boardId);
    assertIfMatch(boardEtag(current), preconditions);
    const next = {
      name: name ?? current.name,
      description: input.description ?? current.description,
    };
    const changed = (["name", "description"] as const).filter((key) => next[key] !== current[key]);
    if (changed.length === 0) return presentBoard(current, role);
    updateBoardFields(deps.sqlite, boardId, next);
    recordBoardChange(deps.sqlite, now, {
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
    recordBoardUpdated(deps.sqlite, now, boardId);
    return presentBoard(mustFindBoard(deps.sqlite, boardId), role);
  });
}

/** Deletes the board with its lists, cards, comments and activity (owner only). */
export function deleteBoard(
  { deps, actor }: ActorContext,
  boardId: number,
  preconditions: Preconditions = {},
): void {
  const now = deps.clock.now();
  writeTransaction(deps.sqlite, () => {
    authorizeBoard(deps.sqlite, actor.userId, boardId, "board.delete");
    const current = mustFindBoard(deps.sqlite, boardId);
    assertIfMatch(boardEtag(current), preconditions);
    recordBoardDeleted(deps.sqlite, now, current);
    deleteBoardRows(deps.sqlite, boardId);
  });
}

function selectCardsByList(sqlite: ActorContext["deps"]["sqlite"], boardId: number) {
  const tags = selectBoardTags(sqlite, boardId);
  const byList = new Map<number, TaskView[]>();
  for (const row of selectBoardCardRows(sqlite, boardId)) {
    const card = presentTask(row, tags.get(row.id) ?? []);
    const list = byList.get(row.listId ?? 0);
    if (list) list.push(card);
    else byList.set(row.listId ?? 0, [card]);
  }
  return byList;
}

function mustFindBoard(sqlite: ActorContext["deps"]["sqlite"], boardId: number): StoredBoard {
  const board = selectBoard(sqlite, boardId);
  // A member row always has its board (the foreign key cascades), so this is only a safeguard.
  if (!board) throw new NotFound(NOT_FOUND.board);
  return board;
}

import type { Database } from "bun:sqlite";
import type { ActorContext } from "../../platform/context";
import { writeTransaction } from "../../platform/db/tx";
import { Conflict, NotFound } from "../../platform/errors";
import { recordTaskGone } from "../tasks/events";
import { authorizeBoard, NOT_FOUND } from "./access";
import { recordBoardChange } from "./changes";
import { recordListDeleted, recordListSaved } from "./events";
import {
  deleteListRows,
  insertList,
  type StoredList,
  selectCardIdsOf,
  selectList,
  updateListRow,
} from "./list-rows";
import { closeSlot, LISTS_OF_BOARD, openSlot, shiftForMove } from "./positions";
import { type ListView, presentList } from "./present";

export interface ListFields {
  name?: string;
  position?: number;
}

/** Adds a list to the board, appended or at `position` (the lists after it move down one). */
export function createList(
  { deps, actor }: ActorContext,
  boardId: number,
  input: ListFields & { name: string },
): ListView {
  const name = input.name.trim();
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    authorizeBoard(deps.sqlite, actor.userId, boardId, "list.create");
    const position = openSlot(deps.sqlite, LISTS_OF_BOARD, boardId, input.position);
    const list = insertList(deps.sqlite, { boardId, name, position, now });
    recordBoardChange(deps.sqlite, now, {
      boardId,
      actorId: actor.userId,
      action: "list.created",
      subjectType: "list",
      subjectId: list.id,
      data: { name, position },
    });
    const created = presentList(list);
    recordListSaved(deps.sqlite, now, "list.created", created);
    return created;
  });
}

export function getList({ deps, actor }: ActorContext, listId: number): ListView {
  const list = findListFor(deps.sqlite, actor.userId, listId, "board.read");
  return presentList(list);
}

/** Renames the list and/or moves it to index `position` within its board. */
export function updateList(
  { deps, actor }: ActorContext,
  listId: number,
  input: ListFields,
): ListView {
  const name = input.name === undefined ? undefined : input.name.trim();
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    const list = findListFor(deps.sqlite, actor.userId, listId, "list.update");
    const renamed = name !== undefined && name !== list.name;
    const position =
      input.position === undefined
        ? list.position
        : shiftForMove(deps.sqlite, LISTS_OF_BOARD, list.board_id, list.position, input.position);
    const moved = position !== list.position;
    if (!renamed && !moved) return presentList(list);
    const updated = updateListRow(deps.sqlite, list.id, {
      name: name ?? list.name,
      position,
      now,
    });
    const change = { boardId: list.board_id, actorId: actor.userId, subjectType: "list" } as const;
    if (renamed) {
      recordBoardChange(deps.sqlite, now, {
        ...change,
        action: "list.renamed",
        subjectId: list.id,
        data: { name, previous_name: list.name },
      });
    }
    if (moved) {
      recordBoardChange(deps.sqlite, now, {
        ...change,
        action: "list.moved",
        subjectId: list.id,
        data: { from: list.position, to: position },
      });
    }
    const saved = presentList(updated);
    recordListSaved(deps.sqlite, now, "list.updated", saved);
    return saved;
  });
}

/** Deletes a list; one that still holds cards only with `cascade`, which deletes them too. */
export function deleteList(
  { deps, actor }: ActorContext,
  listId: number,
  input: { cascade?: boolean },
): void {
  const now = deps.clock.now();
  writeTransaction(deps.sqlite, () => {
    const list = findListFor(deps.sqlite, actor.userId, listId, "list.delete");
    const cardIds = selectCardIdsOf(deps.sqlite, list.id);
    if (cardIds.length > 0 && input.cascade !== true) {
      throw new Conflict(
        `The list holds ${cardIds.length} card(s); move them first or delete with ?cascade=true`,
      );
    }
    const change = { boardId: list.board_id, actorId: actor.userId } as const;
    for (const cardId of cardIds) {
      recordTaskGone(deps.sqlite, now, {
        id: cardId,
        boardId: list.board_id,
        listId: list.id,
        ownerId: actor.userId,
      });
      recordBoardChange(deps.sqlite, now, {
        ...change,
        action: "card.deleted",
        subjectType: "card",
        subjectId: cardId,
        data: { list_id: list.id },
      });
    }
    deleteListRows(deps.sqlite, list.id);
    closeSlot(deps.sqlite, LISTS_OF_BOARD, list.board_id, list.position);
    recordBoardChange(deps.sqlite, now, {
      ...change,
      action: "list.deleted",
      subjectType: "list",
      subjectId: list.id,
      data: { name: list.name, cards: cardIds.length },
    });
    recordListDeleted(deps.sqlite, now, list);
  });
}

/** The list if the user may do `action` on its board; 404 alike for no list and no access. */
function findListFor(
  sqlite: Database,
  userId: number,
  listId: number,
  action: "board.read" | "list.update" | "list.delete",
): StoredList {
  const list = selectList(sqlite, listId);
  if (!list) throw new NotFound(NOT_FOUND.list);
  authorizeBoard(sqlite, userId, list.board_id, action, "list");
  return list;
}

import type { ActorContext } from "../../platform/context";
import type { Sql } from "../../platform/db/sql";
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
export async function createList(
  { deps, actor }: ActorContext,
  boardId: number,
  input: ListFields & { name: string },
): Promise<ListView> {
  const name = input.name.trim();
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    await authorizeBoard(deps.sql, actor.userId, boardId, "list.create");
    const position = await openSlot(deps.sql, LISTS_OF_BOARD, boardId, input.position);
    const list = await insertList(deps.sql, { boardId, name, position, now });
    await recordBoardChange(deps.sql, now, {
      boardId,
      actorId: actor.userId,
      action: "list.created",
      subjectType: "list",
      subjectId: list.id,
      data: { name, position },
    });
    const created = presentList(list);
    await recordListSaved(deps.sql, now, "list.created", created);
    return created;
  });
}

export async function getList({ deps, actor }: ActorContext, listId: number): Promise<ListView> {
  const list = await findListFor(deps.sql, actor.userId, listId, "board.read");
  return presentList(list);
}

/** Renames the list and/or moves it to index `position` within its board. */
export async function updateList(
  { deps, actor }: ActorContext,
  listId: number,
  input: ListFields,
): Promise<ListView> {
  const name = input.name === undefined ? undefined : input.name.trim();
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    const list = await findListFor(deps.sql, actor.userId, listId, "list.update");
    const renamed = name !== undefined && name !== list.name;
    const position =
      input.position === undefined
        ? list.position
        : await shiftForMove(
            deps.sql,
            LISTS_OF_BOARD,
            list.board_id,
            list.position,
            input.position,
          );
    const moved = position !== list.position;
    if (!renamed && !moved) return presentList(list);
    const updated = await updateListRow(deps.sql, list.id, {
      name: name ?? list.name,
      position,
      now,
    });
    const change = { boardId: list.board_id, actorId: actor.userId, subjectType: "list" } as const;
    if (renamed) {
      await recordBoardChange(deps.sql, now, {
        ...change,
        action: "list.renamed",
        subjectId: list.id,
        data: { name, previous_name: list.name },
      });
    }
    if (moved) {
      await recordBoardChange(deps.sql, now, {
        ...change,
        action: "list.moved",
        subjectId: list.id,
        data: { from: list.position, to: position },
      });
    }
    const saved = presentList(updated);
    await recordListSaved(deps.sql, now, "list.updated", saved);
    return saved;
  });
}

/** Deletes a list; one that still holds cards only with `cascade`, which deletes them too. */
export async function deleteList(
  { deps, actor }: ActorContext,
  listId: number,
  input: { cascade?: boolean },
): Promise<void> {
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    const list = await findListFor(deps.sql, actor.userId, listId, "list.delete");
    const cardIds = await selectCardIdsOf(deps.sql, list.id);
    if (cardIds.length > 0 && input.cascade !== true) {
      throw new Conflict(
        `The list holds ${cardIds.length} card(s); move them first or delete with ?cascade=true`,
      );
    }
    const change = { boardId: list.board_id, actorId: actor.userId } as const;
    for (const cardId of cardIds) {
      await recordTaskGone(deps.sql, now, {
        id: cardId,
        boardId: list.board_id,
        listId: list.id,
        ownerId: actor.userId,
      });
      await recordBoardChange(deps.sql, now, {
        ...change,
        action: "card.deleted",
        subjectType: "card",
        subjectId: cardId,
        data: { list_id: list.id },
      });
    }
    await deleteListRows(deps.sql, list.id);
    await closeSlot(deps.sql, LISTS_OF_BOARD, list.board_id, list.position);
    await recordBoardChange(deps.sql, now, {
      ...change,
      action: "list.deleted",
      subjectType: "list",
      subjectId: list.id,
      data: { name: list.name, cards: cardIds.length },
    });
    await recordListDeleted(deps.sql, now, list);
  });
}

/** The list if the user may do `action` on its board; 404 alike for no list and no access. */
async function findListFor(
  sql: Sql,
  userId: number,
  listId: number,
  action: "board.read" | "list.update" | "list.delete",
): Promise<StoredList> {
  const list = await selectList(sql, listId);
  if (!list) throw new NotFound(NOT_FOUND.list);
  await authorizeBoard(sql, userId, list.board_id, action, "list");
  return list;
}

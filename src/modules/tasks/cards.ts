import type { Sql } from "../../platform/db/sql";
import type { BoardRole, TaskRow } from "../../platform/db/tables";
import { type FieldError, Forbidden, ValidationFailed } from "../../platform/errors";
import { allows, findRole } from "../boards/access";
import { recordBoardChange } from "../boards/changes";
import { type StoredList, selectList } from "../boards/list-rows";
import { CARDS_OF_LIST, closeSlot, openSlot, shiftForMove } from "../boards/positions";

/**
 * The board side of tasks: which list a card goes to, where on it, and who may be its assignee.
 * Everything here runs inside the caller's write transaction, after the caller was allowed to
 * change the task itself.
 */

function invalid(path: string, message: string): never {
  const error: FieldError = { path, message };
  throw new ValidationFailed(`Invalid field ${path.slice(1)}: ${message}`, [error]);
}

/** The caller, with their role where the task is, as authorizeTask answered it. */
export interface Caller {
  userId: number;
  role: BoardRole | "personal";
}

/**
 * The list a card is to go to, if the caller may put cards there. A list the caller cannot see
 * is refused exactly like one that does not exist; seeing it as a viewer is 403. `known`: the
 * caller's role on the board the task is on, so a move within that board reads it only once.
 */
export async function targetList(
  sql: Sql,
  userId: number,
  listId: number,
  known?: { boardId: number | null; role: Caller["role"] },
): Promise<StoredList> {
  const list = await selectList(sql, listId);
  const role =
    list &&
    (list.board_id === known?.boardId && known.role !== "personal"
      ? known.role
      : await findRole(sql, list.board_id, userId));
  if (!list || !role) invalid("/list_id", "No such list");
  if (!allows(role, "card.create")) {
    throw new Forbidden("Your role on the target board does not allow adding cards");
  }
  return list;
}

/** A card's position is an index: whole numbers only (out-of-range ones are clamped). */
export function assertCardPosition(position: number | undefined): void {
  if (position !== undefined && !Number.isInteger(position)) {
    invalid("/position", "Must be a whole number for a card");
  }
}

/**
 * A card's assignee must belong to its board; a personal task can be assigned to its owner
 * only. Each refusal is a 422 on `assignee_id`.
 */
export async function assertAssignable(
  sql: Sql,
  boardId: number | null,
  ownerId: number,
  assigneeId: number | null | undefined,
): Promise<void> {
  if (assigneeId === undefined || assigneeId === null) return;
  if (boardId === null) {
    if (assigneeId !== ownerId) {
      invalid("/assignee_id", "A personal task can only be assigned to yourself");
    }
    return;
  }
  if ((await findRole(sql, boardId, assigneeId)) === null) {
    invalid("/assignee_id", "Must be a member of the board");
  }
}

/** Where a new card lands on its list: appended, or at `position` with the rest moved down. */
export async function placeNewCard(sql: Sql, listId: number, position?: number): Promise<number> {
  return await openSlot(sql, CARDS_OF_LIST, listId, position);
}

export interface Placement {
  boardId: number;
  listId: number;
  position: number;
}

/**
 * Moves a task to `list` (its own list or another, possibly on another board) at `requested`
 * (appended when left out on another list; unchanged when left out on its own list). The lists
 * it leaves and enters stay dense.
 */
export async function moveCard(
  sql: Sql,
  task: TaskRow,
  list: StoredList,
  requested: number | undefined,
): Promise<Placement> {
  if (task.listId === list.id) {
    const position =
      requested === undefined
        ? task.position
        : await shiftForMove(sql, CARDS_OF_LIST, list.id, task.position, requested);
    return { boardId: list.board_id, listId: list.id, position };
  }
  if (task.listId !== null) await closeSlot(sql, CARDS_OF_LIST, task.listId, task.position);
  return {
    boardId: list.board_id,
    listId: list.id,
    position: await openSlot(sql, CARDS_OF_LIST, list.id, requested),
  };
}

/** A card leaving its list for good (deleted): the cards after it move up. */
export async function removeCard(sql: Sql, task: TaskRow): Promise<void> {
  if (task.listId !== null) await closeSlot(sql, CARDS_OF_LIST, task.listId, task.position);
}

/**
 * The list an update moves the task to, or null when it stays where it is: `listId` is the
 * body's `list_id` (left out, null, or a list), `position` its `position`. Checks only; the move
 * itself is moveCard's.
 */
export async function chooseList(
  sql: Sql,
  caller: Caller,
  task: TaskRow,
  listId: number | null | undefined,
  position: number | undefined,
): Promise<StoredList | null> {
  if (listId === null) {
    if (task.listId !== null) invalid("/list_id", "A card cannot become a personal task");
    return null;
  }
  if (listId === undefined) {
    if (task.listId === null || position === undefined) return null;
    assertCardPosition(position);
    const own = await selectList(sql, task.listId);
    // A card's list exists as long as the card does (they are deleted together).
    if (!own) throw new Error(`card ${task.id} has no list ${task.listId}`);
    return own;
  }
  const list = await targetList(sql, caller.userId, listId, {
    boardId: task.boardId,
    role: caller.role,
  });
  assertCardPosition(position);
  return list;
}

/**
 * The board's record of what happened to a card: created, its fields edited (`edited` names
 * them), moved (on the board it left too, when it changed boards). Personal tasks have none.
 */
export async function recordCardChanges(
  sql: Sql,
  now: number,
  actorId: number,
  before: TaskRow | null,
  after: TaskRow,
  edited: string[],
): Promise<void> {
  if (after.boardId === null) return;
  const card = { actorId, subjectType: "card", subjectId: after.id } as const;
  if (before === null) {
    await recordBoardChange(sql, now, {
      ...card,
      boardId: after.boardId,
      action: "card.created",
      data: { title: after.title, list_id: after.listId, position: after.position },
    });
    return;
  }
  if (edited.length > 0) {
    await recordBoardChange(sql, now, {
      ...card,
      boardId: after.boardId,
      action: "card.updated",
      data: { fields: edited },
    });
  }
  if (before.listId === after.listId && before.position === after.position) return;
  const data = {
    from_board_id: before.boardId,
    from_list_id: before.listId,
    from_position: before.listId === null ? null : before.position,
    to_board_id: after.boardId,
    to_list_id: after.listId,
    to_position: after.position,
  };
  await recordBoardChange(sql, now, {
    ...card,
    boardId: after.boardId,
    action: "card.moved",
    data,
  });
  if (before.boardId !== null && before.boardId !== after.boardId) {
    await recordBoardChange(sql, now, {
      ...card,
      boardId: before.boardId,
      action: "card.moved",
      data,
    });
  }
}

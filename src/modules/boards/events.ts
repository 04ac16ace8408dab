import type { Sql } from "../../platform/db/sql";
import { recordEvent } from "../realtime/events";
import { type ListView, presentBoard, presentMember } from "./present";
import { type StoredBoard, type StoredMember, selectBoard, selectMembers } from "./rows";

/**
 * The events of boards, lists and members, inside the transaction of each change. Each goes to
 * the board's members, but for the ones only a single person may still read (see below).
 */

/** The board as GET /boards/{id} shows it, less `role`, which differs from reader to reader. */
export async function recordBoardUpdated(sql: Sql, now: number, boardId: number): Promise<void> {
  const board = await selectBoard(sql, boardId);
  if (!board) return;
  const { role: _perReader, ...data } = presentBoard(board, "owner");
  await recordEvent(sql, now, { type: "board.updated", boardId, data });
}

/**
 * A board about to be deleted: its members are gone with it, so each of them is told in an
 * event of their own, which stays readable to them (a catching-up client learns it too).
 */
export async function recordBoardDeleted(sql: Sql, now: number, board: StoredBoard): Promise<void> {
  for (const member of await selectMembers(sql, board.id)) {
    await recordEvent(sql, now, {
      type: "board.deleted",
      boardId: board.id,
      userId: member.user_id,
      data: { id: board.id },
    });
  }
}

export async function recordListSaved(
  sql: Sql,
  now: number,
  type: "list.created" | "list.updated",
  list: ListView,
): Promise<void> {
  await recordEvent(sql, now, { type, boardId: list.board_id, data: list });
}

export async function recordListDeleted(
  sql: Sql,
  now: number,
  list: { id: number; board_id: number },
): Promise<void> {
  await recordEvent(sql, now, {
    type: "list.deleted",
    boardId: list.board_id,
    data: { id: list.id, board_id: list.board_id },
  });
}

export async function recordMemberSaved(
  sql: Sql,
  now: number,
  type: "member.added" | "member.updated",
  boardId: number,
  member: StoredMember,
): Promise<void> {
  await recordEvent(sql, now, { type, boardId, data: presentMember(member) });
}

/**
 * A membership ended: the board's members are told, and so is the former member, in an event
 * addressed to them alone — they can no longer read the board's own.
 */
export async function recordMemberRemoved(
  sql: Sql,
  now: number,
  boardId: number,
  userId: number,
): Promise<void> {
  const data = { board_id: boardId, user_id: userId };
  await recordEvent(sql, now, { type: "member.removed", boardId, data });
  await recordEvent(sql, now, { type: "member.removed", boardId, userId, data });
}

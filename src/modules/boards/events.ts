import type { Database } from "bun:sqlite";
import { recordEvent } from "../realtime/events";
import { type ListView, presentBoard, presentMember } from "./present";
import { type StoredBoard, type StoredMember, selectBoard, selectMembers } from "./rows";

/**
 * The events of boards, lists and members, inside the transaction of each change. Each goes to
 * the board's members, but for the ones only a single person may still read (see below).
 */

/** The board as GET /boards/{id} shows it, less `role`, which differs from reader to reader. */
export function recordBoardUpdated(sqlite: Database, now: number, boardId: number): void {
  const board = selectBoard(sqlite, boardId);
  if (!board) return;
  const { role: _perReader, ...data } = presentBoard(board, "owner");
  recordEvent(sqlite, now, { type: "board.updated", boardId, data });
}

/**
 * A board about to be deleted: its members are gone with it, so each of them is told in an
 * event of their own, which stays readable to them (a catching-up client learns it too).
 */
export function recordBoardDeleted(sqlite: Database, now: number, board: StoredBoard): void {
  for (const member of selectMembers(sqlite, board.id)) {
    recordEvent(sqlite, now, {
      type: "board.deleted",
      boardId: board.id,
      userId: member.user_id,
      data: { id: board.id },
    });
  }
}

export function recordListSaved(
  sqlite: Database,
  now: number,
  type: "list.created" | "list.updated",
  list: ListView,
): void {
  recordEvent(sqlite, now, { type, boardId: list.board_id, data: list });
}

export function recordListDeleted(
  sqlite: Database,
  now: number,
  list: { id: number; board_id: number },
): void {
  recordEvent(sqlite, now, {
    type: "list.deleted",
    boardId: list.board_id,
    data: { id: list.id, board_id: list.board_id },
  });
}

export function recordMemberSaved(
  sqlite: Database,
  now: number,
  type: "member.added" | "member.updated",
  boardId: number,
  member: StoredMember,
): void {
  recordEvent(sqlite, now, { type, boardId, data: presentMember(member) });
}

/**
 * A membership ended: the board's members are told, and so is the former member, in an event
 * addressed to them alone — they can no longer read the board's own.
 */
export function recordMemberRemoved(
  sqlite: Database,
  now: number,
  boardId: number,
  userId: number,
): void {
  const data = { board_id: boardId, user_id: userId };
  recordEvent(sqlite, now, { type: "member.removed", boardId, data });
  recordEvent(sqlite, now, { type: "member.removed", boardId, userId, data });
}

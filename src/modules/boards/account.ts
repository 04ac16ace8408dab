import type { Database } from "bun:sqlite";
import { recordCommentGone } from "../comments/events";
import {
  type StoredComment,
  selectCommentsByAuthor,
  selectCommentsOnBoard,
} from "../comments/rows";
import { presentComment } from "../comments/service";
import { recordTasksChanged } from "../tasks/events";
import { presentTask } from "../tasks/present";
import { selectBoardCardRows, selectBoardTags } from "../tasks/rows";
import { recordBoardChange } from "./changes";
import { recordBoardDeleted } from "./events";
import { selectListsOf } from "./list-rows";
import { removeMembership } from "./members";
import { presentBoard, presentList, presentMember } from "./present";
import {
  deleteBoardRows,
  reassignCardsOf,
  selectBoard,
  selectBoardsOf,
  selectMembers,
  selectOwnedBoardIds,
  usernameOf,
} from "./rows";

/**
 * What an account's deletion does to boards, inside the deletion's transaction and before the
 * user row goes: the boards it owns are deleted with everything on them; the cards it made on
 * other people's boards stay there, handed to each board's owner; its memberships end (which
 * clears its assignments) and its comments go. Each change on a board that stays is recorded.
 */
export function releaseBoardsOf(sqlite: Database, now: number, userId: number): void {
  for (const boardId of selectOwnedBoardIds(sqlite, userId)) {
    const board = selectBoard(sqlite, boardId);
    if (board) recordBoardDeleted(sqlite, now, board);
    deleteBoardRows(sqlite, boardId);
  }
  const reassigned = reassignCardsOf(sqlite, userId, now);
  recordTasksChanged(
    sqlite,
    now,
    reassigned.map((card) => card.id),
  );
  for (const card of reassigned) {
    recordBoardChange(sqlite, now, {
      boardId: card.board_id,
      actorId: userId,
      action: "card.updated",
      subjectType: "card",
      subjectId: card.id,
      data: { fields: ["owner_id"] },
    });
  }
  for (const comment of selectCommentsByAuthor(sqlite, userId)) {
    if (comment.board_id === null) continue;
    recordCommentGone(sqlite, now, comment, { boardId: comment.board_id, ownerId: userId });
    recordBoardChange(sqlite, now, {
      boardId: comment.board_id,
      actorId: userId,
      action: "comment.deleted",
      subjectType: "comment",
      subjectId: comment.id,
      data: { task_id: comment.task_id },
    });
  }
  const member = { user_id: userId, username: usernameOf(sqlite, userId) };
  for (const board of selectBoardsOf(sqlite, userId, Number.MAX_SAFE_INTEGER, 0).rows) {
    removeMembership(sqlite, now, board.id, member, userId);
  }
}

/**
 * The board side of an account export: the boards it owns with their lists, cards (each with
 * its comments) and members; every membership; every comment it wrote.
 */
export function exportBoardsOf(sqlite: Database, userId: number) {
  const memberships = selectBoardsOf(sqlite, userId, Number.MAX_SAFE_INTEGER, 0).rows;
  const owned = memberships
    .filter((board) => board.role === "owner")
    .map((board) => {
      const tags = selectBoardTags(sqlite, board.id);
      const comments = groupByTask(selectCommentsOnBoard(sqlite, board.id));
      const cards = selectBoardCardRows(sqlite, board.id);
      return {
        ...presentBoard(board, board.role),
        lists: selectListsOf(sqlite, board.id).map((list) => ({
          ...presentList(list),
          cards: cards
            .filter((card) => card.listId === list.id)
            .map((card) => ({
              ...presentTask(card, tags.get(card.id) ?? []),
              comments: (comments.get(card.id) ?? []).map(presentComment),
            })),
        })),
        members: selectMembers(sqlite, board.id).map(presentMember),
      };
    });
  return {
    boards: owned,
    memberships: memberships.map((board) => ({
      board_id: board.id,
      board_name: board.name,
      role: board.role,
    })),
    comments: selectCommentsByAuthor(sqlite, userId).map(presentComment),
  };
}

function groupByTask(comments: StoredComment[]): Map<number, StoredComment[]> {
  const byTask = new Map<number, StoredComment[]>();
  for (const comment of comments) {
    const list = byTask.get(comment.task_id);
    if (list) list.push(comment);
    else byTask.set(comment.task_id, [comment]);
  }
  return byTask;
}

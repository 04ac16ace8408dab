import type { Sql } from "../../platform/db/sql";
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
export async function releaseBoardsOf(sql: Sql, now: number, userId: number): Promise<void> {
  for (const boardId of await selectOwnedBoardIds(sql, userId)) {
    const board = await selectBoard(sql, boardId);
    if (board) await recordBoardDeleted(sql, now, board);
    await deleteBoardRows(sql, boardId);
  }
  const reassigned = await reassignCardsOf(sql, userId, now);
  await recordTasksChanged(
    sql,
    now,
    reassigned.map((card) => card.id),
  );
  for (const card of reassigned) {
    await recordBoardChange(sql, now, {
      boardId: card.board_id,
      actorId: userId,
      action: "card.updated",
      subjectType: "card",
      subjectId: card.id,
      data: { fields: ["owner_id"] },
    });
  }
  for (const comment of await selectCommentsByAuthor(sql, userId)) {
    if (comment.board_id === null) continue;
    await recordCommentGone(sql, now, comment, { boardId: comment.board_id, ownerId: userId });
    await recordBoardChange(sql, now, {
      boardId: comment.board_id,
      actorId: userId,
      action: "comment.deleted",
      subjectType: "comment",
      subjectId: comment.id,
      data: { task_id: comment.task_id },
    });
  }
  const member = { user_id: userId, username: await usernameOf(sql, userId) };
  for (const board of (await selectBoardsOf(sql, userId, Number.MAX_SAFE_INTEGER, 0)).rows) {
    await removeMembership(sql, now, board.id, member, userId);
  }
}

/**
 * The board side of an account export: the boards it owns with their lists, cards (each with
 * its comments) and members; every membership; every comment it wrote.
 */
export async function exportBoardsOf(sql: Sql, userId: number) {
  const memberships = (await selectBoardsOf(sql, userId, Number.MAX_SAFE_INTEGER, 0)).rows;
  const owned = memberships
    .filter((board) => board.role === "owner")
    .map(async (board) => {
      const tags = await selectBoardTags(sql, board.id);
      const comments = groupByTask(await selectCommentsOnBoard(sql, board.id));
      const cards = await selectBoardCardRows(sql, board.id);
      return {
        ...presentBoard(board, board.role),
        lists: (await selectListsOf(sql, board.id)).map((list) => ({
          ...presentList(list),
          cards: cards
            .filter((card) => card.listId === list.id)
            .map((card) => ({
              ...presentTask(card, tags.get(card.id) ?? []),
              comments: (comments.get(card.id) ?? []).map(presentComment),
            })),
        })),
        members: (await selectMembers(sql, board.id)).map(presentMember),
      };
    });
  return {
    boards: await Promise.all(owned),
    memberships: memberships.map((board) => ({
      board_id: board.id,
      board_name: board.name,
      role: board.role,
    })),
    comments: (await selectCommentsByAuthor(sql, userId)).map(presentComment),
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

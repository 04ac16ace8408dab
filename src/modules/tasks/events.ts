import type { Sql } from "../../platform/db/sql";
import type { TaskRow } from "../../platform/db/tables";
import { recordEvent } from "../realtime/events";
import { presentTask, type TaskView } from "./present";
import { selectTags, selectTaskRows } from "./rows";

/**
 * The events of a task's life, inside the transaction that changes it. A card's go to its board;
 * a personal task's to its owner alone.
 */

/** A task created or changed. A card that left its board is gone from that board's view. */
export async function recordTaskSaved(
  sql: Sql,
  now: number,
  before: TaskRow | null,
  after: TaskView,
): Promise<void> {
  if (before && before.boardId !== null && before.boardId !== after.board_id) {
    await recordTaskGone(sql, now, before);
  }
  await recordEvent(sql, now, {
    type: before ? "task.updated" : "task.created",
    boardId: after.board_id,
    userId: after.board_id === null ? after.owner_id : null,
    data: after,
  });
}

/** A task deleted, or moved off the board it was on: its ids only. */
export async function recordTaskGone(
  sql: Sql,
  now: number,
  task: Pick<TaskRow, "id" | "boardId" | "listId" | "ownerId">,
): Promise<void> {
  await recordEvent(sql, now, {
    type: "task.deleted",
    boardId: task.boardId,
    userId: task.boardId === null ? task.ownerId : null,
    data: { id: task.id, board_id: task.boardId, list_id: task.listId },
  });
}

/** Tasks changed in bulk by something else (a member's assignments cleared, say), as they are now. */
export async function recordTasksChanged(sql: Sql, now: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const tags = await selectTags(sql, ids);
  for (const row of await selectTaskRows(sql, ids)) {
    const task = presentTask(row, tags.get(row.id) ?? []);
    await recordTaskSaved(sql, now, row, task);
  }
}

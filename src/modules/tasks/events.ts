import type { Database } from "bun:sqlite";
import type { TaskRow } from "../../platform/db/tables";
import { recordEvent } from "../realtime/events";
import { presentTask, type TaskView } from "./present";
import { selectTags, selectTaskRows } from "./rows";

/**
 * The events of a task's life, inside the transaction that changes it. A card's go to its board;
 * a personal task's to its owner alone.
 */

/** A task created or changed. A card that left its board is gone from that board's view. */
export function recordTaskSaved(
  sqlite: Database,
  now: number,
  before: TaskRow | null,
  after: TaskView,
): void {
  if (before && before.boardId !== null && before.boardId !== after.board_id) {
    recordTaskGone(sqlite, now, before);
  }
  recordEvent(sqlite, now, {
    type: before ? "task.updated" : "task.created",
    boardId: after.board_id,
    userId: after.board_id === null ? after.owner_id : null,
    data: after,
  });
}

/** A task deleted, or moved off the board it was on: its ids only. */
export function recordTaskGone(
  sqlite: Database,
  now: number,
  task: Pick<TaskRow, "id" | "boardId" | "listId" | "ownerId">,
): void {
  recordEvent(sqlite, now, {
    type: "task.deleted",
    boardId: task.boardId,
    userId: task.boardId === null ? task.ownerId : null,
    data: { id: task.id, board_id: task.boardId, list_id: task.listId },
  });
}

/** Tasks changed in bulk by something else (a member's assignments cleared, say), as they are now. */
export function recordTasksChanged(sqlite: Database, now: number, ids: number[]): void {
  if (ids.length === 0) return;
  const tags = selectTags(sqlite, ids);
  for (const row of selectTaskRows(sqlite, ids)) {
    const task = presentTask(row, tags.get(row.id) ?? []);
    recordTaskSaved(sqlite, now, row, task);
  }
}

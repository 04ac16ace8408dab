import { toIso } from "../../platform/clock";
import type { TaskRow } from "../../platform/db/tables";

export function presentTask(task: TaskRow, tags: string[]) {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    completed: task.completed,
    completed_at: toIso(task.completedAt),
    due_date: toIso(task.dueDate),
    priority: task.priority,
    tags,
    position: task.position,
    board_id: task.boardId,
    list_id: task.listId,
    assignee_id: task.assigneeId,
    owner_id: task.ownerId,
    created_at: toIso(task.createdAt),
    updated_at: toIso(task.updatedAt),
    version: task.version,
  };
}

export type TaskView = ReturnType<typeof presentTask>;

/** Strong validator for a task's current state (RFC 9110 section 8.8.3). */
export function etagOf(task: { id: number; version: number }): string {
  return `"${task.id}.${task.version}"`;
}

import type { Database } from "bun:sqlite";
import type { TaskRow } from "../../platform/db/tables";

/**
 * Reads of task rows and tags by id on bun:sqlite's cached statements, for the list and
 * single-task paths: drizzle's builder would cost several times the query itself here.
 */

interface StoredTask {
  id: number;
  owner_id: number;
  title: string;
  description: string;
  completed: number;
  completed_at: number | null;
  due_date: number | null;
  priority: number;
  position: number;
  board_id: number | null;
  list_id: number | null;
  assignee_id: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}

/** One bound parameter per id; the ids themselves never enter the SQL text. */
const placeholders = (count: number) => Array.from({ length: count }, () => "?").join(", ");

export function selectTaskRows(sqlite: Database, ids: number[]): TaskRow[] {
  if (ids.length === 0) return [];
  return sqlite
    .query<StoredTask, number[]>(`SELECT * FROM tasks WHERE id IN (${placeholders(ids.length)})`)
    .all(...ids)
    .map((row) => ({
      id: row.id,
      ownerId: row.owner_id,
      title: row.title,
      description: row.description,
      completed: row.completed === 1,
      completedAt: row.completed_at,
      dueDate: row.due_date,
      priority: row.priority,
      position: row.position,
      boardId: row.board_id,
      listId: row.list_id,
      assigneeId: row.assignee_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    }));
}

/** Tags of the given tasks, each list sorted. */
export function selectTags(sqlite: Database, ids: number[]): Map<number, string[]> {
  const byTask = new Map<number, string[]>();
  if (ids.length === 0) return byTask;
  const rows = sqlite
    .query<{ task_id: number; tag: string }, number[]>(
      `SELECT task_id, tag FROM task_tags WHERE task_id IN (${placeholders(ids.length)}) ORDER BY task_id, tag`,
    )
    .all(...ids);
  for (const row of rows) {
    const list = byTask.get(row.task_id);
    if (list) list.push(row.tag);
    else byTask.set(row.task_id, [row.tag]);
  }
  return byTask;
}

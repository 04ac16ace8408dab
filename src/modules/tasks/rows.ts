import type { Database } from "bun:sqlite";
import { sql } from "drizzle-orm";
import { queryAll } from "../../platform/db/fast-query";
import type { TaskRow } from "../../platform/db/tables";

/** Reads of task rows and tags by id on cached statements, for the list and single-task paths. */

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

const idList = (ids: number[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

export function selectTaskRows(sqlite: Database, ids: number[]): TaskRow[] {
  if (ids.length === 0) return [];
  return queryAll<StoredTask>(sqlite, sql`SELECT * FROM tasks WHERE id IN (${idList(ids)})`).map(
    (row) => ({
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
    }),
  );
}

/** Tags of the given tasks, each list sorted. */
export function selectTags(sqlite: Database, ids: number[]): Map<number, string[]> {
  const byTask = new Map<number, string[]>();
  if (ids.length === 0) return byTask;
  const rows = queryAll<{ task_id: number; tag: string }>(
    sqlite,
    sql`SELECT task_id, tag FROM task_tags WHERE task_id IN (${idList(ids)}) ORDER BY task_id, tag`,
  );
  for (const row of rows) {
    const list = byTask.get(row.task_id);
    if (list) list.push(row.tag);
    else byTask.set(row.task_id, [row.tag]);
  }
  return byTask;
}

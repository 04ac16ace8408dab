import { idsFromJson } from "../../platform/db/dialect";
import type { Sql } from "../../platform/db/sql";
import type { TaskRow } from "../../platform/db/tables";

/**
 * Reads of task rows and tags by id as SQL text on `Sql` (statements cached by their text), for
 * the list and single-task paths, and the insert of a new task: drizzle's builder would cost
 * several times the query itself here.
 */

export interface StoredTask {
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

/**
 * The ids go in as one JSON array parameter, so each read is a single statement whatever the
 * page size: bun:sqlite keeps only 20 prepared statements, and a statement per id count (1 to
 * 200) pushed the others out and had them prepared again on every request.
 */
export async function selectTaskRows(sql: Sql, ids: number[]): Promise<TaskRow[]> {
  if (ids.length === 0) return [];
  return (
    await sql.all<StoredTask>(`SELECT * FROM tasks WHERE id IN (${idsFromJson(sql)})`, [
      JSON.stringify(ids),
    ])
  ).map(toTaskRow);
}

/** A `tasks` row as SQLite returns it, in drizzle's shape. */
export function toTaskRow(row: StoredTask): TaskRow {
  return {
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
  };
}

/** Tags of the given tasks, each list sorted. */
export async function selectTags(sql: Sql, ids: number[]): Promise<Map<number, string[]>> {
  const byTask = new Map<number, string[]>();
  if (ids.length === 0) return byTask;
  const rows = await sql.all<{ task_id: number; tag: string }>(
    `SELECT task_id, tag FROM task_tags WHERE task_id IN (${idsFromJson(sql)}) ORDER BY task_id, tag`,
    [JSON.stringify(ids)],
  );
  for (const row of rows) {
    const list = byTask.get(row.task_id);
    if (list) list.push(row.tag);
    else byTask.set(row.task_id, [row.tag]);
  }
  return byTask;
}

/** What createTask stores; the other columns take their defaults (version 1). */
export interface NewTask {
  ownerId: number;
  title: string;
  description: string;
  completed: boolean;
  completedAt: number | null;
  dueDate: number | null;
  priority: number;
  position: number;
  boardId: number | null;
  listId: number | null;
  assigneeId: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The next position after the owner's personal tasks (those on no list). */
export async function nextPersonalPosition(sql: Sql, ownerId: number): Promise<number> {
  // The unary + keeps SQLite off the list_id index, where every personal task shares NULL, and
  // on the owner's index, which holds only this user's tasks.
  const row = await sql.get<{ max: number | null }>(
    "SELECT max(position) AS max FROM tasks WHERE owner_id = ? AND +list_id IS NULL",
    [ownerId],
  );
  return (row?.max ?? 0) + 1;
}

/** Inserts a task and its tags; call inside a transaction. Returns the stored row. */
export async function insertTaskRow(sql: Sql, task: NewTask, tags: string[]): Promise<TaskRow> {
  const stored = await sql.get<StoredTask>(
    `INSERT INTO tasks (owner_id, title, description, completed, completed_at, due_date,
         priority, position, board_id, list_id, assignee_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    [
      task.ownerId,
      task.title,
      task.description,
      task.completed ? 1 : 0,
      task.completedAt,
      task.dueDate,
      task.priority,
      task.position,
      task.boardId,
      task.listId,
      task.assigneeId,
      task.createdAt,
      task.updatedAt,
    ],
  );
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  for (const tag of tags) await insertTag(sql, stored.id, tag);
  return toTaskRow(stored);
}

/** The column each writable TaskRow field is stored in. */
const COLUMNS: Partial<Record<keyof TaskRow, string>> = {
  title: "title",
  description: "description",
  completed: "completed",
  completedAt: "completed_at",
  dueDate: "due_date",
  priority: "priority",
  position: "position",
  boardId: "board_id",
  listId: "list_id",
  assigneeId: "assignee_id",
};

/**
 * Writes the changed fields with a new version, if the task is still at `version`; returns the
 * stored row, or null when it was not. The SQL text is built from the column names above only.
 */
export async function updateTaskRow(
  sql: Sql,
  current: { id: number; version: number },
  changes: Partial<TaskRow>,
  now: number,
): Promise<TaskRow | null> {
  const sets: string[] = [];
  const values: (string | number | null)[] = [];
  for (const [field, value] of Object.entries(changes)) {
    const column = COLUMNS[field as keyof TaskRow];
    if (column === undefined) throw new Error(`not a writable task field: ${field}`);
    sets.push(`${column} = ?`);
    values.push(typeof value === "boolean" ? (value ? 1 : 0) : (value as string | number | null));
  }
  const stored = await sql.get<StoredTask>(
    `UPDATE tasks SET ${sets.join(", ")}${sets.length > 0 ? ", " : ""}updated_at = ?, version = ?
       WHERE id = ? AND version = ? RETURNING *`,
    [...values, now, current.version + 1, current.id, current.version],
  );
  return stored ? toTaskRow(stored) : null;
}

export async function deleteTaskRow(sql: Sql, taskId: number): Promise<void> {
  await sql.run("DELETE FROM tasks WHERE id = ?", [taskId]);
}

/** Replaces a task's tags (already canonical: trimmed, lower-cased, unique, sorted). */
export async function replaceTags(sql: Sql, taskId: number, tags: string[]): Promise<void> {
  await sql.run("DELETE FROM task_tags WHERE task_id = ?", [taskId]);
  for (const tag of tags) await insertTag(sql, taskId, tag);
}

async function insertTag(sql: Sql, taskId: number, tag: string): Promise<void> {
  await sql.run("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)", [taskId, tag]);
}

/** Every card of a board, by list, each list in position order. */
export async function selectBoardCardRows(sql: Sql, boardId: number): Promise<TaskRow[]> {
  return (
    await sql.all<StoredTask>(
      "SELECT * FROM tasks WHERE board_id = ? ORDER BY list_id, position, id",
      [boardId],
    )
  ).map(toTaskRow);
}

/** Tags of every card of a board, each list sorted. */
export async function selectBoardTags(sql: Sql, boardId: number): Promise<Map<number, string[]>> {
  const byTask = new Map<number, string[]>();
  const rows = await sql.all<{ task_id: number; tag: string }>(
    `SELECT tt.task_id, tt.tag FROM tasks t JOIN task_tags tt ON tt.task_id = t.id
       WHERE t.board_id = ? ORDER BY tt.task_id, tt.tag`,
    [boardId],
  );
  for (const row of rows) {
    const list = byTask.get(row.task_id);
    if (list) list.push(row.tag);
    else byTask.set(row.task_id, [row.tag]);
  }
  return byTask;
}

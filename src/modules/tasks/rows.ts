import type { Database } from "bun:sqlite";
import type { TaskRow } from "../../platform/db/tables";

/**
 * Reads of task rows and tags by id on bun:sqlite's cached statements, for the list and
 * single-task paths, and the insert of a new task: drizzle's builder would cost several times
 * the query itself here.
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
const IDS = "SELECT value FROM json_each(?)";

export function selectTaskRows(sqlite: Database, ids: number[]): TaskRow[] {
  if (ids.length === 0) return [];
  return sqlite
    .query<StoredTask, [string]>(`SELECT * FROM tasks WHERE id IN (${IDS})`)
    .all(JSON.stringify(ids))
    .map(toTaskRow);
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
export function selectTags(sqlite: Database, ids: number[]): Map<number, string[]> {
  const byTask = new Map<number, string[]>();
  if (ids.length === 0) return byTask;
  const rows = sqlite
    .query<{ task_id: number; tag: string }, [string]>(
      `SELECT task_id, tag FROM task_tags WHERE task_id IN (${IDS}) ORDER BY task_id, tag`,
    )
    .all(JSON.stringify(ids));
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
export function nextPersonalPosition(sqlite: Database, ownerId: number): number {
  // The unary + keeps SQLite off the list_id index, where every personal task shares NULL, and
  // on the owner's index, which holds only this user's tasks.
  const row = sqlite
    .query<{ max: number | null }, [number]>(
      "SELECT max(position) AS max FROM tasks WHERE owner_id = ? AND +list_id IS NULL",
    )
    .get(ownerId);
  return (row?.max ?? 0) + 1;
}

/** Inserts a task and its tags; call inside a transaction. Returns the stored row. */
export function insertTaskRow(sqlite: Database, task: NewTask, tags: string[]): TaskRow {
  const stored = sqlite
    .query<StoredTask, (string | number | null)[]>(
      `INSERT INTO tasks (owner_id, title, description, completed, completed_at, due_date,
         priority, position, board_id, list_id, assignee_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
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
    );
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  const insertTag = sqlite.query<never, [number, string]>(
    "INSERT INTO task_tags (task_id, tag) VALUES (?, ?)",
  );
  for (const tag of tags) insertTag.run(stored.id, tag);
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
export function updateTaskRow(
  sqlite: Database,
  current: { id: number; version: number },
  changes: Partial<TaskRow>,
  now: number,
): TaskRow | null {
  const sets: string[] = [];
  const values: (string | number | null)[] = [];
  for (const [field, value] of Object.entries(changes)) {
    const column = COLUMNS[field as keyof TaskRow];
    if (column === undefined) throw new Error(`not a writable task field: ${field}`);
    sets.push(`${column} = ?`);
    values.push(typeof value === "boolean" ? (value ? 1 : 0) : (value as string | number | null));
  }
  const stored = sqlite
    .query<StoredTask, (string | number | null)[]>(
      `UPDATE tasks SET ${sets.join(", ")}${sets.length > 0 ? ", " : ""}updated_at = ?, version = ?
       WHERE id = ? AND version = ? RETURNING *`,
    )
    .get(...values, now, current.version + 1, current.id, current.version);
  return stored ? toTaskRow(stored) : null;
}

export function deleteTaskRow(sqlite: Database, taskId: number): void {
  sqlite.query("DELETE FROM tasks WHERE id = ?").run(taskId);
}

/** Replaces a task's tags (already canonical: trimmed, lower-cased, unique, sorted). */
export function replaceTags(sqlite: Database, taskId: number, tags: string[]): void {
  sqlite.query("DELETE FROM task_tags WHERE task_id = ?").run(taskId);
  const insertTag = sqlite.query("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");
  for (const tag of tags) insertTag.run(taskId, tag);
}

/** Every card of a board, by list, each list in position order. */
export function selectBoardCardRows(sqlite: Database, boardId: number): TaskRow[] {
  return sqlite
    .query<StoredTask, [number]>(
      "SELECT * FROM tasks WHERE board_id = ? ORDER BY list_id, position, id",
    )
    .all(boardId)
    .map(toTaskRow);
}

/** Tags of every card of a board, each list sorted. */
export function selectBoardTags(sqlite: Database, boardId: number): Map<number, string[]> {
  const byTask = new Map<number, string[]>();
  const rows = sqlite
    .query<{ task_id: number; tag: string }, [number]>(
      `SELECT tt.task_id, tt.tag FROM tasks t JOIN task_tags tt ON tt.task_id = t.id
       WHERE t.board_id = ? ORDER BY tt.task_id, tt.tag`,
    )
    .all(boardId);
  for (const row of rows) {
    const list = byTask.get(row.task_id);
    if (list) list.push(row.tag);
    else byTask.set(row.task_id, [row.tag]);
  }
  return byTask;
}

import type { Database } from "bun:sqlite";

/** SQL for lists, on bun:sqlite's cached statements; positions move through positions.ts. */

export interface StoredList {
  id: number;
  board_id: number;
  name: string;
  position: number;
  created_at: number;
  updated_at: number;
}

export function selectList(sqlite: Database, listId: number): StoredList | null {
  return sqlite.query<StoredList, [number]>("SELECT * FROM lists WHERE id = ?").get(listId) ?? null;
}

/** The board's lists in order. */
export function selectListsOf(sqlite: Database, boardId: number): StoredList[] {
  return sqlite
    .query<StoredList, [number]>("SELECT * FROM lists WHERE board_id = ? ORDER BY position, id")
    .all(boardId);
}

export function insertList(
  sqlite: Database,
  list: { boardId: number; name: string; position: number; now: number },
): StoredList {
  const stored = sqlite
    .query<StoredList, [number, string, number, number, number]>(
      `INSERT INTO lists (board_id, name, position, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(list.boardId, list.name, list.position, list.now, list.now);
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  return stored;
}

export function updateListRow(
  sqlite: Database,
  listId: number,
  fields: { name: string; position: number; now: number },
): StoredList {
  const stored = sqlite
    .query<StoredList, [string, number, number, number]>(
      "UPDATE lists SET name = ?, position = ?, updated_at = ? WHERE id = ? RETURNING *",
    )
    .get(fields.name, fields.position, fields.now, listId);
  if (!stored) throw new Error("UPDATE … RETURNING gave no row");
  return stored;
}

/** Ids of the cards on a list, in order. */
export function selectCardIdsOf(sqlite: Database, listId: number): number[] {
  return sqlite
    .query<{ id: number }, [number]>("SELECT id FROM tasks WHERE list_id = ? ORDER BY position, id")
    .all(listId)
    .map((row) => row.id);
}

/** Deletes a list and its cards (their tags and comments follow by cascade). */
export function deleteListRows(sqlite: Database, listId: number): void {
  sqlite.query("DELETE FROM tasks WHERE list_id = ?").run(listId);
  sqlite.query("DELETE FROM lists WHERE id = ?").run(listId);
}

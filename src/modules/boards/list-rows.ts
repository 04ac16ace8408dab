import type { Sql } from "../../platform/db/sql";

/** SQL for lists, on `Sql`; positions move through positions.ts. */

export interface StoredList {
  id: number;
  board_id: number;
  name: string;
  position: number;
  created_at: number;
  updated_at: number;
}

export async function selectList(sql: Sql, listId: number): Promise<StoredList | null> {
  return (await sql.get<StoredList>("SELECT * FROM lists WHERE id = ?", [listId])) ?? null;
}

/** The board's lists in order. */
export async function selectListsOf(sql: Sql, boardId: number): Promise<StoredList[]> {
  return await sql.all<StoredList>("SELECT * FROM lists WHERE board_id = ? ORDER BY position, id", [
    boardId,
  ]);
}

export async function insertList(
  sql: Sql,
  list: { boardId: number; name: string; position: number; now: number },
): Promise<StoredList> {
  const stored = await sql.get<StoredList>(
    `INSERT INTO lists (board_id, name, position, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    [list.boardId, list.name, list.position, list.now, list.now],
  );
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  return stored;
}

export async function updateListRow(
  sql: Sql,
  listId: number,
  fields: { name: string; position: number; now: number },
): Promise<StoredList> {
  const stored = await sql.get<StoredList>(
    "UPDATE lists SET name = ?, position = ?, updated_at = ? WHERE id = ? RETURNING *",
    [fields.name, fields.position, fields.now, listId],
  );
  if (!stored) throw new Error("UPDATE … RETURNING gave no row");
  return stored;
}

/** Ids of the cards on a list, in order. */
export async function selectCardIdsOf(sql: Sql, listId: number): Promise<number[]> {
  return (
    await sql.all<{ id: number }>("SELECT id FROM tasks WHERE list_id = ? ORDER BY position, id", [
      listId,
    ])
  ).map((row) => row.id);
}

/** Deletes a list and its cards (their tags and comments follow by cascade). */
export async function deleteListRows(sql: Sql, listId: number): Promise<void> {
  await sql.run("DELETE FROM tasks WHERE list_id = ?", [listId]);
  await sql.run("DELETE FROM lists WHERE id = ?", [listId]);
}

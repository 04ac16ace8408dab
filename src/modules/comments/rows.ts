import type { Sql } from "../../platform/db/sql";

/** SQL for comments, on `Sql`. */

export interface StoredComment {
  id: number;
  task_id: number;
  author_id: number;
  author_username: string;
  body: string;
  created_at: number;
  updated_at: number;
  edited_at: number | null;
}

const SELECT_COMMENT = `SELECT c.*, u.username AS author_username
  FROM comments c JOIN users u ON u.id = c.author_id`;

export async function selectComment(sql: Sql, commentId: number): Promise<StoredComment | null> {
  return (await sql.get<StoredComment>(`${SELECT_COMMENT} WHERE c.id = ?`, [commentId])) ?? null;
}

/** One page of a task's comments, oldest first. */
export async function selectCommentsOf(
  sql: Sql,
  taskId: number,
  limit: number,
  offset: number,
): Promise<{ rows: StoredComment[]; total: number }> {
  const total =
    (await sql.get<{ n: number }>("SELECT count(*) AS n FROM comments WHERE task_id = ?", [taskId]))
      ?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = await sql.all<StoredComment>(
    `${SELECT_COMMENT} WHERE c.task_id = ? ORDER BY c.id LIMIT ? OFFSET ?`,
    [taskId, limit, offset],
  );
  return { rows, total };
}

export async function insertComment(
  sql: Sql,
  comment: { taskId: number; authorId: number; body: string; now: number },
): Promise<number> {
  const row = await sql.get<{ id: number }>(
    `INSERT INTO comments (task_id, author_id, body, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) RETURNING id`,
    [comment.taskId, comment.authorId, comment.body, comment.now, comment.now],
  );
  if (!row) throw new Error("INSERT … RETURNING gave no row");
  return row.id;
}

export async function updateCommentBody(
  sql: Sql,
  commentId: number,
  body: string,
  now: number,
): Promise<void> {
  await sql.run("UPDATE comments SET body = ?, updated_at = ?, edited_at = ? WHERE id = ?", [
    body,
    now,
    now,
    commentId,
  ]);
}

export async function deleteComment(sql: Sql, commentId: number): Promise<void> {
  await sql.run("DELETE FROM comments WHERE id = ?", [commentId]);
}

/** Every comment the user wrote, oldest first, with the board of its task (null if personal). */
export async function selectCommentsByAuthor(
  sql: Sql,
  authorId: number,
): Promise<(StoredComment & { board_id: number | null })[]> {
  return await sql.all<StoredComment & { board_id: number | null }>(
    `SELECT c.*, u.username AS author_username, t.board_id AS board_id
       FROM comments c JOIN users u ON u.id = c.author_id JOIN tasks t ON t.id = c.task_id
       WHERE c.author_id = ? ORDER BY c.id`,
    [authorId],
  );
}

/** Every comment on the cards of a board, oldest first. */
export async function selectCommentsOnBoard(sql: Sql, boardId: number): Promise<StoredComment[]> {
  return await sql.all<StoredComment>(
    `SELECT c.*, u.username AS author_username FROM tasks t
       JOIN comments c ON c.task_id = t.id JOIN users u ON u.id = c.author_id
       WHERE t.board_id = ? ORDER BY c.id`,
    [boardId],
  );
}

import type { Database } from "bun:sqlite";

/** SQL for comments, on bun:sqlite's cached statements. */

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

export function selectComment(sqlite: Database, commentId: number): StoredComment | null {
  return (
    sqlite.query<StoredComment, [number]>(`${SELECT_COMMENT} WHERE c.id = ?`).get(commentId) ?? null
  );
}

/** One page of a task's comments, oldest first. */
export function selectCommentsOf(
  sqlite: Database,
  taskId: number,
  limit: number,
  offset: number,
): { rows: StoredComment[]; total: number } {
  const total =
    sqlite
      .query<{ n: number }, [number]>("SELECT count(*) AS n FROM comments WHERE task_id = ?")
      .get(taskId)?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = sqlite
    .query<StoredComment, [number, number, number]>(
      `${SELECT_COMMENT} WHERE c.task_id = ? ORDER BY c.id LIMIT ? OFFSET ?`,
    )
    .all(taskId, limit, offset);
  return { rows, total };
}

export function insertComment(
  sqlite: Database,
  comment: { taskId: number; authorId: number; body: string; now: number },
): number {
  const row = sqlite
    .query<{ id: number }, [number, number, string, number, number]>(
      `INSERT INTO comments (task_id, author_id, body, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(comment.taskId, comment.authorId, comment.body, comment.now, comment.now);
  if (!row) throw new Error("INSERT … RETURNING gave no row");
  return row.id;
}

export function updateCommentBody(
  sqlite: Database,
  commentId: number,
  body: string,
  now: number,
): void {
  sqlite
    .query("UPDATE comments SET body = ?, updated_at = ?, edited_at = ? WHERE id = ?")
    .run(body, now, now, commentId);
}

export function deleteComment(sqlite: Database, commentId: number): void {
  sqlite.query("DELETE FROM comments WHERE id = ?").run(commentId);
}

/** Every comment the user wrote, oldest first, with the board of its task (null if personal). */
export function selectCommentsByAuthor(
  sqlite: Database,
  authorId: number,
): (StoredComment & { board_id: number | null })[] {
  return sqlite
    .query<StoredComment & { board_id: number | null }, [number]>(
      `SELECT c.*, u.username AS author_username, t.board_id AS board_id
       FROM comments c JOIN users u ON u.id = c.author_id JOIN tasks t ON t.id = c.task_id
       WHERE c.author_id = ? ORDER BY c.id`,
    )
    .all(authorId);
}

/** Every comment on the cards of a board, oldest first. */
export function selectCommentsOnBoard(sqlite: Database, boardId: number): StoredComment[] {
  return sqlite
    .query<StoredComment, [number]>(
      `SELECT c.*, u.username AS author_username FROM tasks t
       JOIN comments c ON c.task_id = t.id JOIN users u ON u.id = c.author_id
       WHERE t.board_id = ? ORDER BY c.id`,
    )
    .all(boardId);
}

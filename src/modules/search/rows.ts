import type { Database } from "bun:sqlite";
import type { BoardWithRole } from "../boards/rows";
import type { StoredComment } from "../comments/rows";

/**
 * Full-text matches the caller may see, best first (bm25; name and title weigh more than
 * descriptions). The match is narrowed to the caller's boards and tasks before ranking, so a
 * common word costs what the caller's matches cost, not what everyone's do.
 */

const MEMBER_BOARDS = "SELECT board_id FROM board_members WHERE user_id = ?";

export function searchBoards(
  sqlite: Database,
  userId: number,
  ftsQuery: string,
  limit: number,
): BoardWithRole[] {
  return sqlite
    .query<BoardWithRole, [string, number, number, number]>(
      `SELECT b.*, m.role AS role FROM (
         SELECT rowid AS id, bm25(boards_fts, 10.0, 1.0) AS score FROM boards_fts
         WHERE boards_fts MATCH ? AND +rowid IN (${MEMBER_BOARDS})
       ) f
       JOIN boards b ON b.id = f.id
       JOIN board_members m ON m.board_id = b.id AND m.user_id = ?
       ORDER BY f.score, b.id DESC LIMIT ?`,
    )
    .all(ftsQuery, userId, userId, limit);
}

export function searchComments(
  sqlite: Database,
  userId: number,
  ftsQuery: string,
  limit: number,
): StoredComment[] {
  return sqlite
    .query<StoredComment, [string, number, number, number]>(
      `SELECT c.*, u.username AS author_username FROM (
         SELECT rowid AS id, bm25(comments_fts) AS score FROM comments_fts
         WHERE comments_fts MATCH ?
       ) f
       JOIN comments c ON c.id = f.id
       JOIN tasks t ON t.id = c.task_id
       JOIN users u ON u.id = c.author_id
       WHERE (t.owner_id = ? AND t.board_id IS NULL) OR t.board_id IN (${MEMBER_BOARDS})
       ORDER BY f.score, c.id DESC LIMIT ?`,
    )
    .all(ftsQuery, userId, userId, limit);
}

import type { Sql } from "../../platform/db/sql";
import type { BoardWithRole } from "../boards/rows";
import type { StoredComment } from "../comments/rows";
import { matchWords } from "../tasks/search-terms";
import { MEMBER_BOARDS, visibleTasksSql } from "../tasks/visibility";

/**
 * Full-text matches the caller may see, best first (bm25 on SQLite's FTS5, ts_rank on
 * PostgreSQL's tsvector; name and title weigh more than descriptions). Which comments the caller sees is the task visibility's rule (visibility.ts),
 * applied to each comment's task.
 *
 * A board match is narrowed to the caller's boards before ranking. comments_fts holds only the
 * text, so a comment search walks every comment that has the words and drops the ones the caller
 * cannot see: its cost grows with everyone's matching comments, not only the caller's.
 */

/** PostgreSQL's search on its tsvector columns, loaded only there (test:pg runs it). */
async function postgresSearch(sql: Sql) {
  return sql.dialect === "postgres" ? await import("../tasks/search-postgres") : null;
}

export async function searchBoards(
  sql: Sql,
  userId: number,
  terms: string[],
  limit: number,
): Promise<BoardWithRole[]> {
  const pg = await postgresSearch(sql);
  if (pg) return pg.searchBoardsOnPostgres(sql, userId, terms, limit);
  const ftsQuery = matchWords(terms);
  return await sql.all<BoardWithRole>(
    `SELECT b.*, m.role AS role FROM (
         SELECT rowid AS id, bm25(boards_fts, 10.0, 1.0) AS score FROM boards_fts
         WHERE boards_fts MATCH ? AND +rowid IN (${MEMBER_BOARDS})
       ) f
       JOIN boards b ON b.id = f.id
       JOIN board_members m ON m.board_id = b.id AND m.user_id = ?
       ORDER BY f.score, b.id DESC LIMIT ?`,
    [ftsQuery, userId, userId, limit],
  );
}

export async function searchComments(
  sql: Sql,
  userId: number,
  terms: string[],
  limit: number,
): Promise<StoredComment[]> {
  const visible = visibleTasksSql(userId);
  const pg = await postgresSearch(sql);
  if (pg) return pg.searchCommentsOnPostgres(sql, visible, terms, limit);
  const ftsQuery = matchWords(terms);
  return await sql.all<StoredComment>(
    `SELECT c.*, u.username AS author_username FROM (
         SELECT rowid AS id, bm25(comments_fts) AS score FROM comments_fts
         WHERE comments_fts MATCH ?
       ) f
       JOIN comments c ON c.id = f.id
       JOIN tasks t ON t.id = c.task_id
       JOIN users u ON u.id = c.author_id
       WHERE ${visible.sql}
       ORDER BY f.score, c.id DESC LIMIT ?`,
    [ftsQuery, ...visible.params, limit],
  );
}

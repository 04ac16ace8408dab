import type { Sql, SqlValue } from "../../platform/db/sql";
import type { BoardWithRole } from "../boards/rows";
import type { StoredComment } from "../comments/rows";
import type { Fragment } from "./fragment";
import { type PageIds, pageWithTotal, type SearchSpec } from "./search";
import { rankVisibleMatchesOnPostgres } from "./search-rank-postgres";

/**
 * Task search on PostgreSQL: the stored `search` tsvector and its GIN index stand for FTS5's
 * tasks_fts (platform/db/pg-tables/search.ts says how). Visibility stays the SQL of `where`; the
 * words match the text weights only, and relevance is ts_rank with FTS5's column weights
 * (title ten times description), best first, newest first among equals.
 */

/** tsvector weights in ts_rank's order D, C, B, A: visibility tokens 0, description 0.1, title 1. */
const WEIGHTS = "'{0, 0, 0.1, 1}'";

interface PostgresSearch {
  id: string;
  from: string;
  params: SqlValue[];
  order: string;
  orderParams: SqlValue[];
}

/** The FROM/WHERE and ORDER BY of one task search; `order` undefined ranks by relevance. */
function postgresTaskSearch(
  terms: string[],
  where: Fragment,
  order: string | undefined,
): PostgresSearch {
  const query = toTsQuery(terms);
  const from = `tasks t WHERE t.search @@ ?::tsquery AND ${where.text}`;
  const params = [query, ...where.params];
  if (order !== undefined) return { id: "t.id", from, params, order, orderParams: [] };
  return {
    id: "t.id",
    from,
    params,
    order: `ts_rank(${WEIGHTS}, t.search, ?::tsquery) DESC, t.id DESC`,
    orderParams: [query],
  };
}

/** search.ts's searchPage on PostgreSQL: relevance by BM25 (search-rank-postgres.ts), or `order`. */
export async function searchPageOnPostgres(sql: Sql, spec: SearchSpec): Promise<PageIds> {
  if (spec.order !== undefined) {
    return pageWithTotal(sql, spec, postgresTaskSearch(spec.terms, spec.where, spec.order));
  }
  const ranked = await rankVisibleMatchesOnPostgres(sql, spec.visibility, spec.terms, spec.where);
  return {
    ids: ranked.slice(spec.offset, spec.offset + spec.limit).map((task) => task.id),
    total: ranked.length,
  };
}

/** Boards the user belongs to whose name or description has every word, best first. */
export async function searchBoardsOnPostgres(
  sql: Sql,
  userId: number,
  terms: string[],
  limit: number,
): Promise<BoardWithRole[]> {
  const query = toTsQuery(terms);
  return await sql.all<BoardWithRole>(BOARD_SEARCH, [userId, query, query, limit]);
}

/** Comments the user may see with every word, best first. */
export async function searchCommentsOnPostgres(
  sql: Sql,
  visible: { sql: string; params: SqlValue[] },
  terms: string[],
  limit: number,
): Promise<StoredComment[]> {
  const query = toTsQuery(terms);
  return await sql.all<StoredComment>(commentSearch(visible.sql), [
    query,
    ...visible.params,
    query,
    limit,
  ]);
}

const BOARD_SEARCH = `SELECT b.*, m.role AS role FROM boards b
       JOIN board_members m ON m.board_id = b.id AND m.user_id = ?
       WHERE b.search @@ ?::tsquery
       ORDER BY ts_rank(${WEIGHTS}, b.search, ?::tsquery) DESC, b.id DESC LIMIT ?`;

/** Comments with every word, best first; `visible` is the task visibility's SQL over `tasks t`. */
function commentSearch(visible: string): string {
  return `SELECT c.*, u.username AS author_username FROM comments c
       JOIN tasks t ON t.id = c.task_id
       JOIN users u ON u.id = c.author_id
       WHERE c.search @@ ?::tsquery AND ${visible}
       ORDER BY ts_rank(c.search, ?::tsquery) DESC, c.id DESC LIMIT ?`;
}

/**
 * The same terms as PostgreSQL tsquery text (see platform/db/pg-tables/search.ts): each word
 * lower-cased with its accents removed, as the stored vectors hold it, quoted and matched as a
 * prefix of the text weights A and B only; all of them ANDed. A word is letters and digits, so
 * its quotes cannot be broken out of.
 */
export function toTsQuery(terms: string[]): string {
  return toFoldedWords(terms)
    .map((word) => `'${word}':*AB`)
    .join(" & ");
}

/** The words of the terms as PostgreSQL's vectors hold them: lower-cased, accents removed. */
export function toFoldedWords(terms: string[]): string[] {
  return terms.map((term) => {
    const word = /"([^"]+)"\*$/.exec(term)?.[1] ?? "";
    return word
      .normalize("NFD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase();
  });
}

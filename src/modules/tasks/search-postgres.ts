import type { SqlValue } from "../../platform/db/sql";
import type { Fragment } from "./fragment";
import { toTsQuery } from "./search-terms";

/**
 * Task search on PostgreSQL: the stored `search` tsvector and its GIN index stand for FTS5's
 * tasks_fts (platform/db/pg-tables/search.ts says how). Visibility stays the SQL of `where`; the
 * words match the text weights only, and relevance is ts_rank with FTS5's column weights
 * (title ten times description), best first, newest first among equals.
 */

/** tsvector weights in ts_rank's order D, C, B, A: visibility tokens 0, description 0.1, title 1. */
const WEIGHTS = "'{0, 0, 0.1, 1}'";

export interface PostgresSearch {
  id: string;
  from: string;
  params: SqlValue[];
  order: string;
  orderParams: SqlValue[];
}

/** The FROM/WHERE and ORDER BY of one task search; `order` undefined ranks by relevance. */
export function postgresTaskSearch(
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

/** Boards the user belongs to whose name or description has every word, best first. */
export const POSTGRES_BOARD_SEARCH = `SELECT b.*, m.role AS role FROM boards b
       JOIN board_members m ON m.board_id = b.id AND m.user_id = ?
       WHERE b.search @@ ?::tsquery
       ORDER BY ts_rank(${WEIGHTS}, b.search, ?::tsquery) DESC, b.id DESC LIMIT ?`;

/** Comments with every word, best first; `visible` is the task visibility's SQL over `tasks t`. */
export function postgresCommentSearch(visible: string): string {
  return `SELECT c.*, u.username AS author_username FROM comments c
       JOIN tasks t ON t.id = c.task_id
       JOIN users u ON u.id = c.author_id
       WHERE c.search @@ ?::tsquery AND ${visible}
       ORDER BY ts_rank(c.search, ?::tsquery) DESC, c.id DESC LIMIT ?`;
}

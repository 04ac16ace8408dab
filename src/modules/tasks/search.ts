import type { Sql, SqlValue } from "../../platform/db/sql";
import { all, type Fragment } from "./fragment";
import { rankVisibleMatches, readIndexTotals } from "./search-rank";
import { matchVisible, matchWords } from "./search-terms";
import type { Visibility } from "./visibility";

export interface SearchSpec {
  visibility: Visibility;
  /** From toSearchTerms: safe FTS5 terms, at least one. */
  terms: string[];
  /** Every filter of the list, visibility included. */
  where: Fragment;
  /** An ORDER BY over `tasks t`, or undefined to rank by relevance. */
  order: string | undefined;
  limit: number;
  offset: number;
}

export interface PageIds {
  ids: number[];
  total: number;
}

/**
 * From which share of all tasks visible to the caller a search ranks with SQLite's bm25().
 * Ranking with our BM25 (search-rank.ts) costs about 2.8 µs for each of the caller's matching
 * tasks, as highlight() re-reads and re-tokenizes them; bm25() costs about 0.45 µs for each of
 * them plus 0.03 µs for each matching task of anyone's. Ours is cheaper while the caller sees
 * fewer than about one task in 70 (as in 1,000 users × 100 tasks); a user alone on a server
 * sees them all, and there bm25() is five times cheaper.
 */
export const BUILTIN_BM25_FROM_SHARE = 1 / 70;

/**
 * One page of a search. Every FTS5 match is the caller's visibility AND the words, so it walks
 * only the caller's tasks: a common word in other people's tasks costs nothing.
 */
export async function searchPage(sql: Sql, spec: SearchSpec): Promise<PageIds> {
  // PostgreSQL searches its tsvector columns (loaded only there; test:pg runs it).
  if (sql.dialect === "postgres") {
    return (await import("./search-postgres")).searchPageOnPostgres(sql, spec);
  }
  if (spec.order !== undefined) {
    return pageWithTotal(sql, spec, {
      id: "t.id",
      // CROSS JOIN keeps the matches outermost: one lookup each, not a walk of all the
      // caller's tasks.
      from: `(SELECT rowid AS id FROM tasks_fts WHERE tasks_fts MATCH ?) m
        CROSS JOIN tasks t ON t.id = m.id WHERE ${spec.where.text}`,
      params: [matchVisible(spec.visibility, spec.terms), ...spec.where.params],
      order: spec.order,
    });
  }
  const totals = await readIndexTotals(sql);
  const visible =
    (
      await all<{ n: number }>(
        sql,
        `SELECT count(*) AS n FROM tasks t WHERE ${spec.visibility.sql}`,
        spec.visibility.params,
      )
    )[0]?.n ?? 0;
  if (visible < totals.documents * BUILTIN_BM25_FROM_SHARE) {
    const ranked = await rankVisibleMatches(sql, spec.visibility, spec.terms, spec.where, totals);
    return {
      ids: ranked.slice(spec.offset, spec.offset + spec.limit).map((task) => task.id),
      total: ranked.length,
    };
  }
  // The caller sees a large share of all tasks, so the words alone hardly match more than theirs:
  // no visibility filter in the match, as bm25() would walk every task it matches as well.
  // bm25() cannot run where the window count runs: score in a subquery, count over it.
  return pageWithTotal(sql, spec, {
    id: "m.id",
    from: `(SELECT rowid AS id, bm25(tasks_fts, 10.0, 1.0, 0.0, 0.0) AS score FROM tasks_fts
        WHERE tasks_fts MATCH ?) m
      CROSS JOIN tasks t ON t.id = m.id WHERE ${spec.where.text}`,
    params: [matchWords(spec.terms), ...spec.where.params],
    order: "m.score, m.id DESC",
  });
}

export interface OrderedQuery {
  id: string;
  /** The FROM and WHERE clauses. */
  from: string;
  params: SqlValue[];
  order: string;
  /** Parameters of `order`, if it has any. */
  orderParams?: SqlValue[];
}

/** One page of a query's ids, with the number of rows it has in all. */
export async function pageWithTotal(
  sql: Sql,
  { limit, offset }: { limit: number; offset: number },
  query: OrderedQuery,
): Promise<PageIds> {
  const rows = await all<{ id: number; total: number }>(
    sql,
    `SELECT ${query.id} AS id, count(*) OVER () AS total FROM ${query.from}
     ORDER BY ${query.order} LIMIT ? OFFSET ?`,
    [...query.params, ...(query.orderParams ?? []), limit, offset],
  );
  // A page past the end has no row to carry the total: count separately only then.
  const total =
    rows[0]?.total ??
    (offset === 0
      ? 0
      : ((
          await all<{ total: number }>(
            sql,
            `SELECT count(*) AS total FROM ${query.from}`,
            query.params,
          )
        )[0]?.total ?? 0));
  return { ids: rows.map((row) => row.id), total };
}

import type { Database } from "bun:sqlite";
import type { Sql } from "./sql";

/**
 * Upkeep of SQLite's FTS5 indexes (a dialect-specific piece: PostgreSQL's GIN indexes need none).
 *
 * FTS5 writes each batch of changes as a new index segment and merges them only in part as it
 * goes; every search pays for every segment. On the 100k-task benchmark database, a search cost
 * about 40 µs in the index as written and 6 µs once its segments were merged. `'optimize'` merges
 * everything at once, which takes about a second there and holds the write lock for all of it,
 * so the merge is done in small steps instead, within a time budget, and picked up again later.
 */

export const SEARCH_INDEXES = ["tasks_fts", "boards_fts", "comments_fts"] as const;

/** Pages one merge step may write: a step takes at most a few tens of milliseconds. */
const PAGES_PER_STEP = 64;

/**
 * Merges index segments step by step until every index is down to one segment or `budgetMs` has
 * passed (`Infinity` runs to the end). Returns the number of steps that did work.
 */
export function mergeSearchIndexes(sqlite: Database, budgetMs: number): number {
  const started = performance.now();
  const totalChanges = sqlite.query<{ n: number }, []>("SELECT total_changes() AS n");
  const changesSoFar = () => totalChanges.get()?.n ?? 0;
  let steps = 0;
  for (const table of SEARCH_INDEXES) {
    // A negative page count merges segments whatever their level, towards a single one.
    const step = sqlite.query(`INSERT INTO ${table}(${table}, rank) VALUES('merge', ?)`);
    for (;;) {
      if (performance.now() - started >= budgetMs) return steps;
      const before = changesSoFar();
      step.run(-PAGES_PER_STEP);
      // FTS5's own signal: a step that merged nothing changes fewer than two rows.
      if (changesSoFar() - before < 2) break;
      steps++;
    }
  }
  return steps;
}

/**
 * What a merge needs: the raw connection for FTS5's commands (null on PostgreSQL, whose GIN
 * indexes need no merging), and `sql` for its write turn.
 */
export interface SearchIndexStore {
  sql: Sql;
  sqlite: Database | null;
}

/**
 * Merges inside a transaction of `sql`, so that no request's transaction is open while the raw
 * connection writes (its statements would land in it). Returns the steps taken.
 */
export async function mergeSearchIndexesInTurn(
  store: SearchIndexStore,
  budgetMs: number,
): Promise<number> {
  const { sqlite } = store;
  if (sqlite === null) return 0;
  return await store.sql.transaction(async () => mergeSearchIndexes(sqlite, budgetMs));
}

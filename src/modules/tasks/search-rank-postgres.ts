import { idsFromJson } from "../../platform/db/dialect";
import type { Sql } from "../../platform/db/sql";
import type { Fragment } from "./fragment";
import { toFoldedWords, toTsQuery } from "./search-postgres";
import {
  DESCRIPTION_WEIGHT,
  type IndexTotals,
  inEvery,
  type ScoredTask,
  scoreMatches,
  TITLE_WEIGHT,
} from "./search-rank";
import type { Visibility } from "./visibility";

/**
 * The BM25 of search-rank.ts on PostgreSQL, so that a search ranks the same on both databases:
 * the occurrences and lengths FTS5 keeps are read from the `search` tsvector (weight A is the
 * title, B the description, D the visibility tokens, which count in a task's length as FTS5's
 * owner_id and board_id columns do). Each word's document frequency is counted among the tasks
 * the caller sees, as on SQLite.
 */

/** Positions in a task's vector, all weights: its length in tokens. */
const TOKENS = "(SELECT count(*) FROM unnest(t.search) u, unnest(u.positions) p)";

/** Positions of lexemes starting with the word (the one parameter) under one weight. */
function occurrences(weight: "A" | "B"): string {
  return `(SELECT count(*) FROM unnest(t.search) u, unnest(u.weights) w
     WHERE w = '${weight}' AND starts_with(u.lexeme, ?))`;
}

export async function rankVisibleMatchesOnPostgres(
  sql: Sql,
  visibility: Visibility,
  terms: string[],
  where: Fragment,
): Promise<ScoredTask[]> {
  const frequencies: Map<number, number>[] = [];
  const words = toFoldedWords(terms);
  for (const [index, word] of words.entries()) {
    const rows = await sql.all<{ id: number; in_title: number; in_description: number }>(
      `SELECT t.id AS id, ${occurrences("A")} AS in_title, ${occurrences("B")} AS in_description
       FROM tasks t WHERE t.search @@ ?::tsquery AND ${visibility.sql}`,
      [word, word, toTsQuery([terms[index] ?? ""]), ...visibility.params],
    );
    if (rows.length === 0) return [];
    frequencies.push(
      new Map(
        rows.map((row) => [
          row.id,
          TITLE_WEIGHT * row.in_title + DESCRIPTION_WEIGHT * row.in_description,
        ]),
      ),
    );
  }
  const ids = inEvery(frequencies);
  if (ids.length === 0) return [];
  const lengths = await sql.all<{ id: number; length: number }>(
    `SELECT t.id AS id, ${TOKENS} AS length FROM tasks t
     WHERE t.id IN (${idsFromJson(sql)}) AND ${where.text}`,
    [JSON.stringify(ids), ...where.params],
  );
  return scoreMatches(
    frequencies,
    new Map(lengths.map((row) => [row.id, row.length])),
    await readTotalsOnPostgres(sql),
  );
}

/**
 * Up to this many tasks, the totals are counted exactly on every search (cheap at that size, and
 * the ranking then equals SQLite's to the last digit). Above it, the average length is estimated
 * from a sample of about this many tasks and kept for TOTALS_TTL_MS: counting every task's tokens
 * took about 2 s of database CPU per search on 110,000 tasks. BM25 needs the average only to
 * normalise lengths, so an estimate moves scores slightly and never what matches.
 */
export const EXACT_TOTALS_UP_TO = 5_000;
const TOTALS_TTL_MS = 60_000;

interface CachedTotals {
  totals: Promise<IndexTotals>;
  readAt: number;
}

const cachedTotals = new WeakMap<Sql, CachedTotals>();

/** The number of tasks and their average length in tokens, as FTS5's totals record holds them. */
export async function readTotalsOnPostgres(sql: Sql): Promise<IndexTotals> {
  const cached = cachedTotals.get(sql);
  if (cached && performance.now() - cached.readAt < TOTALS_TTL_MS) return await cached.totals;
  const documents = Number(
    (await sql.get<{ n: number }>("SELECT count(*) AS n FROM tasks"))?.n ?? 0,
  );
  if (documents <= EXACT_TOTALS_UP_TO) {
    cachedTotals.delete(sql);
    return await countTotals(sql, documents, "FROM tasks t");
  }
  const percent = Math.min(100, (100 * EXACT_TOTALS_UP_TO) / documents);
  // Concurrent searches share one estimate rather than each sampling the table.
  const totals = countTotals(sql, documents, `FROM tasks t TABLESAMPLE BERNOULLI (${percent})`);
  cachedTotals.set(sql, { totals, readAt: performance.now() });
  totals.catch(() => cachedTotals.delete(sql));
  return await totals;
}

/** Tokens per task over `from` (all tasks, or a sample of them), with the number of tasks. */
async function countTotals(sql: Sql, documents: number, from: string): Promise<IndexTotals> {
  const row = await sql.get<{ sampled: number; tokens: number }>(
    `SELECT count(*) AS sampled, coalesce(sum(${TOKENS}), 0)::bigint AS tokens ${from}`,
  );
  const sampled = Number(row?.sampled ?? 0);
  return { documents, averageLength: Number(row?.tokens ?? 0) / Math.max(sampled, 1) || 1 };
}

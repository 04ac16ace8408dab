import type { Sql } from "../../platform/db/sql";
import { all, type Fragment } from "./fragment";
import { matchVisible } from "./search-terms";
import type { Visibility } from "./visibility";

/**
 * BM25 exactly as SQLite's bm25(tasks_fts, 10.0, 1.0, 0.0, 0.0) computes it (k1 = 1.2, b = 0.75,
 * a word in the title worth ten in the description), except that each word's document frequency
 * is counted among the tasks the caller can see.
 *
 * bm25() counts it among all tasks, by walking every task of every user that holds the word, on
 * every query: 0.5–0.9 ms for a common word in the 100k-task benchmark, whoever asks and however
 * few tasks they have. Here a search costs what the caller's own matches cost. The table's task
 * count and average length, which FTS5 keeps as totals, are read as bm25() reads them, so when
 * the caller can see every task the scores equal bm25()'s. See docs/decisions/010-search-under-load.md.
 */

const K1 = 1.2;
const B = 0.75;
export const TITLE_WEIGHT = 10;
export const DESCRIPTION_WEIGHT = 1;
/** FTS5 keeps its row count and per-column token totals in this record of tasks_fts_data. */
const AVERAGES_RECORD_ID = 1;

export interface ScoredTask {
  id: number;
  /** Higher is better (bm25() returns the same number negated). */
  score: number;
}

/**
 * The tasks that the caller sees, hold every term and pass `where`, best first; equal scores put
 * the newer task first.
 */
export async function rankVisibleMatches(
  sql: Sql,
  visibility: Visibility,
  terms: string[],
  where: Fragment,
  totals: IndexTotals,
): Promise<ScoredTask[]> {
  const frequencies: Map<number, number>[] = [];
  for (const term of terms) {
    const byTask = await termFrequencies(sql, visibility, term);
    if (byTask.size === 0) return [];
    frequencies.push(byTask);
  }
  const lengths = await listedLengths(sql, inEvery(frequencies), where);
  return scoreMatches(frequencies, lengths, totals);
}

/**
 * BM25 of the candidates in `lengths` (id → length in tokens), from each term's weighted
 * occurrences per task (`frequencies`, one map per term, over every task the caller sees that
 * holds it), best first; equal scores put the newer task first.
 */
export function scoreMatches(
  frequencies: Map<number, number>[],
  lengths: Map<number, number>,
  totals: IndexTotals,
): ScoredTask[] {
  if (lengths.size === 0) return [];
  const { documents, averageLength } = totals;
  const weights = frequencies.map((byTask) => inverseDocumentFrequency(documents, byTask.size));
  const scored = Array.from(lengths, ([id, length]) => {
    let score = 0;
    frequencies.forEach((byTask, index) => {
      const frequency = byTask.get(id) ?? 0;
      score +=
        (weights[index] ?? 0) *
        ((frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * length) / averageLength)));
    });
    return { id, score };
  });
  return scored.sort((a, b) => b.score - a.score || b.id - a.id);
}

/**
 * The caller's tasks holding one term, each with its weighted number of occurrences. highlight()
 * marks every occurrence FTS5 found (with the index's own tokenizer and prefix rules), so the
 * text grows by one character per occurrence.
 */
async function termFrequencies(
  sql: Sql,
  visibility: Visibility,
  term: string,
): Promise<Map<number, number>> {
  const rows = await all<{ id: number; in_title: number; in_description: number }>(
    sql,
    `SELECT rowid AS id,
       length(highlight(tasks_fts, 0, '|', '')) - length(title) AS in_title,
       length(highlight(tasks_fts, 1, '|', '')) - length(description) AS in_description
     FROM tasks_fts WHERE tasks_fts MATCH ?`,
    [matchVisible(visibility, [term])],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      TITLE_WEIGHT * row.in_title + DESCRIPTION_WEIGHT * row.in_description,
    ]),
  );
}

/** The ids present in every map, walking the smallest. */
export function inEvery(maps: Map<number, number>[]): number[] {
  const [smallest, ...others] = [...maps].sort((a, b) => a.size - b.size);
  return [...(smallest?.keys() ?? [])].filter((id) => others.every((map) => map.has(id)));
}

/** The candidates that pass the filters, each with its length in tokens (all columns). */
async function listedLengths(
  sql: Sql,
  ids: number[],
  where: Fragment,
): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await all<{ id: number; sizes: Uint8Array }>(
    sql,
    // CROSS JOIN keeps the candidates outermost: one lookup each, not a walk of all the
    // caller's tasks.
    `SELECT t.id AS id, d.sz AS sizes FROM json_each(?) c
       CROSS JOIN tasks t ON t.id = c.value
       JOIN tasks_fts_docsize d ON d.id = t.id
     WHERE ${where.text}`,
    [JSON.stringify(ids), ...where.params],
  );
  return new Map(rows.map((row) => [row.id, sum(readVarints(row.sizes))]));
}

export interface IndexTotals {
  documents: number;
  /** In tokens, all columns counted. */
  averageLength: number;
}

/** How many tasks the index holds and their average length, from FTS5's own totals. */
export async function readIndexTotals(sql: Sql): Promise<IndexTotals> {
  const record = (
    await all<{ block: Uint8Array }>(sql, "SELECT block FROM tasks_fts_data WHERE id = ?", [
      AVERAGES_RECORD_ID,
    ])
  )[0];
  const [documents = 0, ...columnTotals] = readVarints(record?.block ?? new Uint8Array());
  // An empty index has no record; nothing is ranked then, but keep the division finite.
  return { documents, averageLength: sum(columnTotals) / Math.max(documents, 1) || 1 };
}

/** bm25()'s IDF, floored as bm25() floors it so a very common word still counts a little. */
function inverseDocumentFrequency(documents: number, holding: number): number {
  const idf = Math.log((documents - holding + 0.5) / (holding + 0.5));
  return idf > 0 ? idf : 1e-6;
}

/** SQLite's varints, as FTS5 stores its sizes: 7 bits a byte, big-endian; a 9th byte gives 8. */
export function readVarints(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let value = 0;
    for (let index = 0; ; index++) {
      const byte = bytes[offset++] ?? 0;
      if (index === 8) {
        value = value * 256 + byte;
        break;
      }
      value = value * 128 + (byte & 0x7f);
      if (byte < 0x80 || offset >= bytes.length) break;
    }
    values.push(value);
  }
  return values;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

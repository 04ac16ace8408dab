import { type SQL, sql } from "drizzle-orm";
import { customType } from "drizzle-orm/pg-core";

/**
 * # Full-text search on PostgreSQL
 *
 * SQLite searches FTS5 tables kept by triggers (drizzle/0001, 0003, 0005): tasks_fts over
 * title and description plus owner_id and board_id for visibility, boards_fts over name and
 * description, comments_fts over body; words folded (unicode61, remove_diacritics 2), matched
 * as prefixes of at most 8 characters, ranked with bm25 (tasks: title 10, description 1).
 *
 * Here each of `tasks`, `boards` and `comments` has a stored generated `search` tsvector with
 * a GIN index, kept current by PostgreSQL itself (no triggers):
 * - the text goes through `kanbun_search_text()` (drizzle/pg/0000, custom): accents removed
 *   (NFD, combining marks dropped) and every run of non-alphanumerics made a space, so words
 *   split where FTS5's unicode61 splits them (`foo@bar.com` is foo, bar, com), then
 *   `to_tsvector('simple', …)`, which lower-cases and neither stems nor drops stop words;
 * - weights stand for FTS5's columns: A title / name, B description / body, and on tasks D for
 *   the visibility tokens `o<owner_id>` and `b<board_id>`.
 *
 * How the query side uses it:
 * - Terms: the words of `toSearchTerms` (tasks/search-terms.ts), lower-cased and with accents
 *   removed in JS as above (the query is built as tsquery text, which `::tsquery` does not
 *   normalise), each quoted and matched as a prefix of the text weights only: `'plan':*AB`.
 *   Words are letters and digits only, so quoting cannot be broken out of. AND them: `&`.
 * - Visibility (tasks): `('o7':D | 'b12':D | 'b13':D) & 'plan':*AB`, bound as one `?::tsquery`
 *   with `WHERE t.search @@ ?::tsquery`: as with FTS5's `owner_id : "7"`, the GIN scan walks
 *   the caller's tasks only, and typed text can never match a visibility token (weight D), nor
 *   a token match typed text (weights A and B). The visibility SQL still decides, as on SQLite.
 * - Ranking: `ts_rank('{0, 0, 0.1, 1}', t.search, <the words alone>::tsquery) DESC, t.id DESC`
 *   (weights listed D, C, B, A: title ten times description, tokens nothing), the counterpart
 *   of `bm25(tasks_fts, 10.0, 1.0, 0.0, 0.0)` ascending. ts_rank is not BM25 (no inverse
 *   document frequency): orders agree for the usual cases, not to the last tie.
 * - Boards: `b.search @@ ?::tsquery` with the words alone (`'x':*AB`), narrowed to the caller's
 *   boards, ranked with the same weights. Comments: `c.search @@ ?::tsquery`, `ts_rank(c.search,
 *   …)`.
 * - The 8-character cut of words stays (one behaviour on both databases); PostgreSQL needs no
 *   prefix indexes for it, and no merging of index segments (search-index.ts is SQLite's only).
 */

/** A tsvector column; drizzle-orm has no type of its own for it. */
export const tsvector = customType<{ data: string }>({
  dataType: () => "tsvector",
});

/** The lexemes of `column`'s text with `weight`, normalised as the comment above says. */
function weighted(column: string, weight: "A" | "B"): string {
  return `setweight(to_tsvector('simple'::regconfig, kanbun_search_text("${column}")), '${weight}')`;
}

/** The search vector of a text in the best-weighted column `primary` and an optional `secondary`. */
export function searchVector(primary: string, secondary?: string): SQL {
  const parts = [weighted(primary, "A")];
  if (secondary !== undefined) parts.push(weighted(secondary, "B"));
  return sql.raw(parts.join(" || "));
}

/** Tasks add their visibility tokens, weight D: `o<owner_id>` and, for cards, `b<board_id>`. */
export function taskSearchVector(): SQL {
  const tokens = `setweight(to_tsvector('simple'::regconfig, 'o' || "owner_id" || coalesce(' b' || "board_id", '')), 'D')`;
  return sql.raw(`${weighted("title", "A")} || ${weighted("description", "B")} || ${tokens}`);
}

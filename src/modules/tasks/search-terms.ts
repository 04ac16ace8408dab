import type { Visibility } from "./visibility";

/** Most words a search uses; the rest of a long query is ignored. */
const MAX_SEARCH_TERMS = 16;

/**
 * The longest prefix the index holds: drizzle/0003 declares prefix='1 2 3 4 5 6 7 8' (and 0005
 * the same for boards_fts and comments_fts). A longer word is cut to its first eight characters
 * ("internationally" searches internat*), so every term is one entry of a prefix index. A prefix
 * the index lacks would make FTS5 merge the entries of every word that starts with it, in every
 * user's tasks, before anything else runs.
 */
export const MAX_PREFIX_CHARS = 8;

/** User words match only the text; owner_id and board_id are there for visibility alone. */
const TEXT_COLUMNS = "{title description}";

/**
 * Turns free text into FTS5 terms, one per distinct word: quoted, so quotes, operators, NEAR,
 * column filters and `*` in the input are only characters; cut to the indexed prefix length and
 * matched as a prefix ("plan" finds "planning"); confined to title and description, so typing
 * someone's id ("7") never matches an owner_id. Null when the text has no searchable word.
 * Other full-text tables (boards_fts, comments_fts) pass their own text `columns` in FTS5's
 * `{a b}` form and so search by the same rules.
 */
export function toSearchTerms(text: string, columns = TEXT_COLUMNS): string[] | null {
  const words = (text.normalize("NFKC").match(/[\p{L}\p{M}\p{N}]+/gu) ?? [])
    // Combining marks alone are no word: FTS5 folds them away and would get an empty phrase.
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .map((word) => Array.from(word).slice(0, MAX_PREFIX_CHARS).join(""));
  if (words.length === 0) return null;
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS).map((word) => `${columns} : "${word}"*`);
}

/** One FTS5 query: every term. */
export function matchWords(terms: string[]): string {
  return terms.join(" AND ");
}

/** One FTS5 query: the caller's visibility AND every term. */
export function matchVisible(visibility: Visibility, terms: string[]): string {
  return `(${visibility.match}) AND ${matchWords(terms)}`;
}

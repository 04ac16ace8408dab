import type { Dialect, Sql } from "./sql";

/**
 * The small pieces of SQL text that differ between SQLite and PostgreSQL, chosen by
 * `sql.dialect`, so that services and row modules write each statement once. Full-text search,
 * which differs in more than a fragment, has its own modules (tasks/search-postgres.ts).
 */

type Source = Pick<Sql, "dialect"> | Dialect;

function dialectOf(source: Source): Dialect {
  return typeof source === "string" ? source : source.dialect;
}

/**
 * A subquery of the integers in one JSON array parameter (`[1,2,3]`), for `id IN (…)`: one
 * statement text whatever the number of ids. On PostgreSQL the parameter is typed text first: a
 * parameter typed json would take the string as one JSON string, not as the array it spells.
 */
export function idsFromJson(source: Source): string {
  return dialectOf(source) === "postgres"
    ? "SELECT value::bigint AS value FROM json_array_elements_text(?::text::json)"
    : "SELECT value FROM json_each(?)";
}

/** A subquery of the strings in one JSON array parameter (`["a","b"]`). */
export function textsFromJson(source: Source): string {
  return dialectOf(source) === "postgres"
    ? "SELECT value FROM json_array_elements_text(?::text::json)"
    : "SELECT value FROM json_each(?)";
}

/**
 * `expression` as a sort key that ignores case: SQLite's NOCASE collation folds ASCII letters;
 * PostgreSQL's lower() folds every letter its ctype knows (a superset: the same order for ASCII).
 */
export function caseless(source: Source, expression: string): string {
  return dialectOf(source) === "postgres" ? `lower(${expression})` : `${expression} COLLATE NOCASE`;
}

/**
 * The text at `key` of the JSON object held as text in `column` (a top-level key of letters,
 * digits and underscores only: it is written into the SQL).
 */
export function jsonText(source: Source, column: string, key: string): string {
  if (!/^\w+$/.test(key)) throw new Error(`Not a JSON key for SQL text: ${key}`);
  return dialectOf(source) === "postgres"
    ? `(${column}::json ->> '${key}')`
    : `json_extract(${column}, '$.${key}')`;
}

/** The LIKE operator that ignores case: SQLite's LIKE does (for ASCII), PostgreSQL's ILIKE. */
export function likeCaseless(source: Source): string {
  return dialectOf(source) === "postgres" ? "ILIKE" : "LIKE";
}

/**
 * What a SELECT that claims rows for this transaction ends with: PostgreSQL locks them and skips
 * rows another transaction holds, so instances claiming at once never take the same row; SQLite
 * has one writer at a time already.
 */
export function forClaim(source: Source): string {
  return dialectOf(source) === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
}

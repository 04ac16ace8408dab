import type { Database, SQLQueryBindings } from "bun:sqlite";

/**
 * SQL text with its bound parameters. The text is built only from constants; every value the
 * caller sent is a parameter. Plain strings rather than drizzle's `sql`: rendering its fragments
 * cost as much as running the list's count and page queries.
 */
export interface Fragment {
  text: string;
  params: SQLQueryBindings[];
}

/** Runs a statement on bun:sqlite's statement cache. */
export function all<Row>(sqlite: Database, text: string, params: SQLQueryBindings[]): Row[] {
  return sqlite.query<Row, SQLQueryBindings[]>(text).all(...params);
}

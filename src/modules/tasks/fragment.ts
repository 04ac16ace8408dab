import type { Sql, SqlValue } from "../../platform/db/sql";

/**
 * SQL text with its bound parameters. The text is built only from constants; every value the
 * caller sent is a parameter. Plain strings rather than drizzle's `sql`: rendering its fragments
 * cost as much as running the list's count and page queries.
 */
export interface Fragment {
  text: string;
  params: SqlValue[];
}

/** Runs a statement and returns its rows. */
export async function all<Row>(sql: Sql, text: string, params: SqlValue[]): Promise<Row[]> {
  return await sql.all<Row>(text, params);
}

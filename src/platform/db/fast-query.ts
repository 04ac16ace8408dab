import type { Database, SQLQueryBindings } from "bun:sqlite";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";

const dialect = new SQLiteSyncDialect();

/**
 * Runs a drizzle `sql` fragment on bun:sqlite's statement cache and returns plain rows. For hot
 * read paths: drizzle's query builder re-compiles every statement on each call, while
 * `Database.query` keeps compiled statements by their SQL text. Values stay bound parameters.
 */
export function queryAll<Row>(sqlite: Database, fragment: SQL): Row[] {
  const { sql: text, params } = dialect.sqlToQuery(fragment);
  return sqlite.query<Row, SQLQueryBindings[]>(text).all(...(params as SQLQueryBindings[]));
}

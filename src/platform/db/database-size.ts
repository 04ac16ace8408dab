import type { Database } from "bun:sqlite";
import type { Sql } from "./sql";

export interface DatabaseSizeSource {
  sql: Sql;
  sqlite: Database | null;
}

interface Size {
  bytes: number;
}

const PG_SIZE = "SELECT pg_database_size(current_database()) AS bytes";
const SQLITE_SIZE =
  "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()";

/**
 * Bytes the database takes: SQLite's pages in use, or PostgreSQL's pg_database_size. SQLite's is
 * a pragma read on the raw connection rather than through `sql` (which would wait for the write
 * turn): a size that counts another request's uncommitted pages for a moment is still fair.
 */
export async function readDatabaseSize({ sql, sqlite }: DatabaseSizeSource): Promise<number> {
  const row = sqlite ? sqlite.query<Size, []>(SQLITE_SIZE).get() : await sql.get<Size>(PG_SIZE);
  return row?.bytes ?? 0;
}

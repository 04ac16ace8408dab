import type { Database } from "bun:sqlite";
import type { Sql } from "./sql";

export interface DatabaseSizeSource {
  sql: Sql;
  sqlite: Database | null;
}

/** Bytes the database takes: SQLite's pages in use, or PostgreSQL's pg_database_size. */
export async function readDatabaseSize({ sql, sqlite }: DatabaseSizeSource): Promise<number> {
  if (sqlite === null) {
    const row = await sql.get<{ bytes: number }>(
      "SELECT pg_database_size(current_database()) AS bytes",
    );
    return row?.bytes ?? 0;
  }
  // A pragma of the SQLite file, read on the raw connection rather than through `sql` (which
  // would wait for the write turn): a size that counts another request's uncommitted pages for a
  // moment is still a fair gauge.
  const row = sqlite
    .query<{ bytes: number }, []>(
      "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
    )
    .get();
  return row?.bytes ?? 0;
}

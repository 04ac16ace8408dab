import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import type { Sql, SqlValue } from "../../src/platform/db/sql";
import * as tables from "../../src/platform/db/tables";

/** drizzle's query builder, running its statements on `Sql` (so inside its transactions). */
export type Db = SqliteRemoteDatabase<typeof tables>;

const cache = new WeakMap<Sql, Db>();

/** The app's database as drizzle's builder, for tests that set up or read rows by table. */
export function dbOf(deps: { sql: Sql }): Db {
  let db = cache.get(deps.sql);
  if (!db) {
    db = createOrm(deps.sql);
    cache.set(deps.sql, db);
  }
  return db;
}

/**
 * drizzle over the `Sql` interface: its statements join the app's transactions and wait their
 * turn like the app's own. drizzle maps result rows by position, so each row's values are handed over in column order:
 * a select whose columns share a name (a join selecting two `id`s) must be written as SQL text.
 */
function createOrm(sql: Sql): Db {
  return drizzle(
    async (query, params, method) => {
      const text = sql.dialect === "postgres" ? withDefaultIds(query) : query;
      const values = params as SqlValue[];
      if (method === "run") return { rows: [], ...(await sql.run(text, values)) };
      if (method === "get") {
        const row = await sql.get<Record<string, unknown>>(text, values);
        return { rows: row ? Object.values(row) : undefined } as unknown as { rows: unknown[] };
      }
      const rows = await sql.all<Record<string, unknown>>(text, values);
      return { rows: rows.map((row) => Object.values(row)) };
    },
    { schema: tables },
  );
}

/**
 * drizzle's SQLite builder writes a row without an id, in a multi-row insert, as `null`, which
 * SQLite turns into a new rowid; PostgreSQL's identity columns need `default` for that.
 */
function withDefaultIds(text: string): string {
  if (!/^insert into "\w+" \("id",/.test(text)) return text;
  return text.replace(/(values |\), )\(null, /g, "$1(default, ");
}

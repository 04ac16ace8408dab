import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import type { Sql, SqlValue } from "./sql";
import * as tables from "./tables";

/** drizzle's query builder, running its statements on `Sql` (so inside its transactions). */
export type Db = SqliteRemoteDatabase<typeof tables>;

/**
 * drizzle over the `Sql` interface, for the account and job code still written with its builder.
 * drizzle maps result rows by position, so each row's values are handed over in column order:
 * a select whose columns share a name (a join selecting two `id`s) must be written as SQL text.
 */
export function createOrm(sql: Sql): Db {
  return drizzle(
    async (text, params, method) => {
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

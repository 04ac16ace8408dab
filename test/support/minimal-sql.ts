import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import type { Sql, SqlRunResult, SqlValue } from "../../src/platform/db/sql";

/**
 * Just enough of the `Sql` interface to drive single statements against bun:sqlite or a
 * PostgreSQL server, for the stores built on it while the full implementations are written.
 * Transactions are not part of it: the stores tested with it work in single statements.
 */
export function sqliteSql(db: Database): Sql {
  return {
    dialect: "sqlite",
    all: async <T>(text: string, params: readonly SqlValue[] = []) =>
      db.query(text).all(...params) as T[],
    get: async <T>(text: string, params: readonly SqlValue[] = []) =>
      (db.query(text).get(...params) as T | null) ?? null,
    run: async (text: string, params: readonly SqlValue[] = []): Promise<SqlRunResult> => ({
      changes: db.query(text).run(...params).changes,
    }),
    transaction: () => Promise.reject(new Error("not part of the minimal Sql")),
    readTransaction: () => Promise.reject(new Error("not part of the minimal Sql")),
    inTransaction: () => false,
    onTransactionEnd: () => {},
    close: async () => db.close(),
  };
}

/** `?` placeholders become `$1, $2, …`; the statements given here have no `?` inside quotes. */
export function postgresSql(client: SQL): Sql {
  const numbered = (text: string) => {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  };
  const all = async <T>(text: string, params: readonly SqlValue[] = []) =>
    [...(await client.unsafe(numbered(text), [...params]))] as T[];
  return {
    dialect: "postgres",
    all,
    get: async <T>(text: string, params: readonly SqlValue[] = []) =>
      (await all<T>(text, params))[0] ?? null,
    run: async (text: string, params: readonly SqlValue[] = []): Promise<SqlRunResult> => {
      const result = await client.unsafe(numbered(text), [...params]);
      return { changes: Number(result.count ?? 0) };
    },
    transaction: () => Promise.reject(new Error("not part of the minimal Sql")),
    readTransaction: () => Promise.reject(new Error("not part of the minimal Sql")),
    inTransaction: () => false,
    onTransactionEnd: () => {},
    close: () => client.close(),
  };
}

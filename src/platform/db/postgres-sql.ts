import { AsyncLocalStorage } from "node:async_hooks";
import { SQL } from "bun";
import { WRITE_LOCK_KEY } from "./postgres-locks";
import { numberPlaceholders } from "./postgres-placeholders";
import { databaseOf } from "./postgres-url";
import type { Sql, SqlRunResult, SqlValue, TransactionListener } from "./sql";

/**
 * The `Sql` of a PostgreSQL server, on Bun's built-in driver (Bun.SQL: pooled connections,
 * LISTEN/NOTIFY, nothing to install).
 *
 * - int8 columns (ids of bigint identities, millisecond times, count(*)) are read as BigInt
 *   and handed out as numbers: every such value Kanbun stores fits in 2^53, and the services
 *   compare and serialise them as numbers, as they get them from SQLite. One that does not fit
 *   is an error, never a silently rounded number. `numeric` (sum() of a bigint, avg()) arrives
 *   as a string: cast in SQL where a number is needed.
 * - Booleans are bound as 1/0: flags are 0/1 integers on both databases (sql.ts), and PostgreSQL
 *   has no `integer = boolean`.
 * - A transaction runs on one reserved connection, found by the calls made inside it through
 *   AsyncLocalStorage. Each outermost one first takes one shared advisory lock, so writers run
 *   one at a time as on SQLite: read-modify-write sequences stay exact, and the events table's
 *   seq, handed out at insert, commits in order (docs/decisions/014-realtime-feed.md).
 */

export interface PostgresSqlOptions {
  /** Most connections in the pool (Bun's default is 10). */
  max?: number;
  /** Seconds an unused connection is kept open. */
  idleTimeout?: number;
}

/** What the calls of one transaction share: its connection and where its savepoints are. */
interface TransactionScope {
  connection: SQL;
  depth: number;
  /** Nested transactions of this scope run one after another: savepoints are a stack. */
  nested: Promise<unknown>;
  /**
   * Set once the transaction (or savepoint) is over. Work it started that goes on afterwards
   * (a failed sign-in recorded after the answer) still carries the scope in its async context:
   * its calls then run on the pool, as on SQLite, not on a connection given back.
   */
  ended: boolean;
}

export function createPostgresSql(url: string, options: PostgresSqlOptions = {}): Sql {
  const pool = new SQL({
    url,
    database: databaseOf(url),
    bigint: true,
    ...(options.max !== undefined && { max: options.max }),
    ...(options.idleTimeout !== undefined && { idleTimeout: options.idleTimeout }),
  });
  const scopes = new AsyncLocalStorage<TransactionScope>();
  let listener: TransactionListener | null = null;

  /** The transaction the caller is in, if it is still open. */
  function currentScope(): TransactionScope | undefined {
    const scope = scopes.getStore();
    return scope && !scope.ended ? scope : undefined;
  }

  async function query(text: string, params: readonly SqlValue[] = []) {
    const connection = currentScope()?.connection ?? pool;
    return connection.unsafe(numberPlaceholders(text), params.map(toParameter));
  }

  /**
   * One transaction on a reserved connection. A write takes the shared write lock first and tells
   * the listener how it ended; a read is a READ ONLY snapshot that takes no lock and, recording
   * no events, has nothing to tell.
   */
  async function outermost<T>(work: () => Promise<T>, kind: "write" | "read"): Promise<T> {
    const connection = await pool.reserve();
    const scope: TransactionScope = {
      connection,
      depth: 0,
      nested: Promise.resolve(),
      ended: false,
    };
    const tells = kind === "write";
    try {
      let result: T;
      try {
        if (kind === "write") {
          await connection.unsafe("BEGIN");
          await connection.unsafe(`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`);
        } else {
          await connection.unsafe("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        }
        result = await scopes.run(scope, work);
        scope.ended = true;
        await connection.unsafe("COMMIT");
      } catch (error) {
        scope.ended = true;
        // After a failed COMMIT the transaction is over already and ROLLBACK only warns.
        await connection.unsafe("ROLLBACK").catch(() => undefined);
        if (tells) listener?.rolledBack();
        throw error;
      }
      if (tells) listener?.committed();
      return result;
    } finally {
      await connection.release();
    }
  }

  function nested<T>(scope: TransactionScope, work: () => Promise<T>): Promise<T> {
    const name = `kanbun_sp_${scope.depth + 1}`;
    const run = async () => {
      await scope.connection.unsafe(`SAVEPOINT ${name}`);
      const inner: TransactionScope = {
        connection: scope.connection,
        depth: scope.depth + 1,
        nested: Promise.resolve(),
        ended: false,
      };
      try {
        const result = await scopes.run(inner, work);
        inner.ended = true;
        await scope.connection.unsafe(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        inner.ended = true;
        await scope.connection.unsafe(`ROLLBACK TO SAVEPOINT ${name}`);
        await scope.connection.unsafe(`RELEASE SAVEPOINT ${name}`);
        throw error;
      }
    };
    const done = scope.nested.then(run, run);
    scope.nested = done.catch(() => undefined);
    return done;
  }

  const sql: Sql = {
    dialect: "postgres",
    async all<T>(text: string, params?: readonly SqlValue[]) {
      const rows = (await query(text, params)) as Record<string, unknown>[];
      return rows.map(toPlainRow) as T[];
    },
    async get<T>(text: string, params?: readonly SqlValue[]) {
      const rows = (await query(text, params)) as Record<string, unknown>[];
      const first = rows[0];
      return first === undefined ? null : (toPlainRow(first) as T);
    },
    async run(text: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
      const result = (await query(text, params)) as { count: number | null };
      return { changes: result.count ?? 0 };
    },
    transaction<T>(work: () => Promise<T>) {
      const scope = currentScope();
      return scope ? nested(scope, work) : outermost(work, "write");
    },
    readTransaction<T>(work: () => Promise<T>) {
      return currentScope() ? work() : outermost(work, "read");
    },
    inTransaction: () => currentScope() !== undefined,
    onTransactionEnd(next) {
      listener = next;
    },
    async close() {
      await pool.close({ timeout: 0 });
    },
  };
  pools.set(sql, pool);
  return sql;
}

// The driver behind each PostgreSQL Sql, for what the Sql interface does not carry.
const pools = new WeakMap<Sql, SQL>();

/**
 * The Bun.SQL pool behind a PostgreSQL `Sql` (null for any other): the realtime feed's wake
 * LISTENs and NOTIFYs on it (platform/shared/postgres-wake.ts).
 */
export function postgresClientOf(sql: Sql): SQL | null {
  return pools.get(sql) ?? null;
}

function toParameter(value: SqlValue): unknown {
  if (value === true) return 1;
  if (value === false) return 0;
  return value;
}

function toPlainRow(row: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const key in row) {
    const value = row[key];
    plain[key] = typeof value === "bigint" ? toNumber(key, value) : value;
  }
  return plain;
}

function toNumber(column: string, value: bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(`Column ${column} holds ${value}, which does not fit in a number`);
  }
  return number;
}

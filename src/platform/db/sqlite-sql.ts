import type { Database } from "bun:sqlite";
import { AsyncLocalStorage } from "node:async_hooks";
import type { Sql, SqlRunResult, SqlValue, TransactionListener } from "./sql";

/** The transaction a piece of async work belongs to; `ended` once it committed or rolled back. */
interface OpenTransaction {
  ended: boolean;
  /** Savepoints opened so far, for unique names. */
  savepoints: number;
}

/**
 * The `Sql` interface on one bun:sqlite connection. Statements run at once (bun:sqlite is
 * synchronous) and come back as settled promises. A transaction is tracked per async context, so
 * calls made while its work runs join it; one connection has one transaction, so calls from any
 * other context wait behind it, in arrival order, and see only what it committed.
 */
export function createSqliteSql(sqlite: Database): Sql {
  const context = new AsyncLocalStorage<OpenTransaction>();
  let open: OpenTransaction | null = null;
  let listener: TransactionListener | null = null;
  // Calls and transactions from other contexts waiting for the open transaction to end.
  const waiting: Array<() => void> = [];

  const joinsOpen = () => open !== null && context.getStore() === open;

  /** Runs `call` once the open transaction (another context's) has ended, in arrival order. */
  const later = <T>(call: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push(() => settle(call).then(resolve, reject));
    });

  /** Hands the connection to waiting calls in order, until one of them opens a transaction. */
  const release = () => {
    open = null;
    while (open === null) {
      const next = waiting.shift();
      if (!next) return;
      next();
    }
  };

  const outermost = async <T>(work: () => Promise<T>): Promise<T> => {
    const transaction: OpenTransaction = { ended: false, savepoints: 0 };
    open = transaction;
    try {
      sqlite.run("BEGIN IMMEDIATE");
    } catch (error) {
      release();
      throw error;
    }
    let result: T;
    try {
      result = await context.run(transaction, work);
    } catch (error) {
      finish(transaction, "ROLLBACK");
      throw error;
    }
    try {
      sqlite.run("COMMIT");
    } catch (error) {
      finish(transaction, "ROLLBACK");
      throw error;
    }
    finish(transaction, null);
    return result;
  };

  /**
   * Ends the transaction (ROLLBACK, or nothing after a COMMIT), tells the listener how it ended,
   * and only then lets the waiting calls in: what the listener sees belongs to this transaction.
   */
  const finish = (transaction: OpenTransaction, rollback: "ROLLBACK" | null) => {
    transaction.ended = true;
    try {
      // A failed COMMIT may already have rolled back; the transaction is over either way.
      if (rollback && sqlite.inTransaction) sqlite.run(rollback);
    } finally {
      try {
        if (rollback) listener?.rolledBack();
        else listener?.committed();
      } finally {
        release();
      }
    }
  };

  /** Savepoints of one transaction nest: its work opens them one after another, not at once. */
  const nested = async <T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> => {
    transaction.savepoints += 1;
    const name = `sp_${transaction.savepoints}`;
    sqlite.run(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      sqlite.run(`RELEASE ${name}`);
      return result;
    } catch (error) {
      sqlite.run(`ROLLBACK TO ${name}`);
      sqlite.run(`RELEASE ${name}`);
      throw error;
    }
  };

  /** An outermost transaction now, or once the open one and those queued before it end. */
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    if (open === null) return outermost(work);
    return new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        outermost(work).then(resolve, reject);
      });
    });
  };

  return {
    dialect: "sqlite",
    // The first branch is the hot path: no transaction open elsewhere, so the statement runs now.
    all<T>(text: string, params: readonly SqlValue[] = NO_PARAMS) {
      if (open === null || joinsOpen()) {
        try {
          return Promise.resolve(sqlite.query(text).all(...(params as SqlValue[])) as T[]);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return later(() => sqlite.query(text).all(...(params as SqlValue[])) as T[]);
    },
    get<T>(text: string, params: readonly SqlValue[] = NO_PARAMS) {
      if (open === null || joinsOpen()) {
        try {
          return Promise.resolve((sqlite.query(text).get(...(params as SqlValue[])) as T) ?? null);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return later(() => (sqlite.query(text).get(...(params as SqlValue[])) as T) ?? null);
    },
    run(text: string, params: readonly SqlValue[] = NO_PARAMS) {
      const call = (): SqlRunResult => ({
        changes: sqlite.query(text).run(...(params as SqlValue[])).changes,
      });
      if (open === null || joinsOpen()) return settle(call);
      return later(call);
    },
    transaction<T>(work: () => Promise<T>): Promise<T> {
      if (open !== null && joinsOpen()) return nested(open, work);
      return inTurn(work);
    },
    // One connection serves everything in turn, so a read's snapshot is a transaction's.
    readTransaction<T>(work: () => Promise<T>): Promise<T> {
      if (open !== null && joinsOpen()) return work();
      return inTurn(work);
    },
    inTransaction: joinsOpen,
    onTransactionEnd(next) {
      listener = next;
    },
    async close() {
      sqlite.close(false);
    },
  };
}

const NO_PARAMS: readonly SqlValue[] = [];

function settle<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

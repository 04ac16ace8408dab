import type { Database } from "bun:sqlite";

/**
 * Runs `write` in one transaction that takes SQLite's write lock up front (BEGIN IMMEDIATE).
 * A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
 * connection wrote in between; an immediate one waits its turn (busy_timeout) and then reads
 * the latest state, so read-modify-write sequences such as renumbering positions stay exact.
 * The callback must be synchronous: an `await` inside would commit early. Nested calls become
 * savepoints of the outer transaction.
 */
export function writeTransaction<T>(sqlite: Database, write: () => T): T {
  const outermost = !sqlite.inTransaction;
  if (!outermost) return sqlite.transaction(write).immediate();
  const listener = listeners.get(sqlite);
  try {
    const result = sqlite.transaction(write).immediate();
    listener?.committed();
    return result;
  } catch (error) {
    listener?.rolledBack();
    throw error;
  }
}

/** Told how each outermost writeTransaction ended (the realtime feed listens: see events.ts). */
export interface TransactionListener {
  committed(): void;
  rolledBack(): void;
}

const listeners = new WeakMap<Database, TransactionListener>();

export function onWriteTransactionEnd(sqlite: Database, listener: TransactionListener | null) {
  if (listener) listeners.set(sqlite, listener);
  else listeners.delete(sqlite);
}

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
  return sqlite.transaction(write).immediate();
}

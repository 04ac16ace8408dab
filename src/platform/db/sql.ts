/**
 * The one way services and row modules reach the database, whichever it is: the embedded
 * SQLite file (bun:sqlite) or a shared PostgreSQL server. Every call is asynchronous because a
 * server round trip is; on SQLite the statement still runs at once and the promise is settled.
 *
 * SQL text is written once for both databases:
 * - parameters are `?` placeholders (the PostgreSQL side numbers them `$1, $2, …`), never
 *   values spliced into the text;
 * - flags are stored as 0/1 integers and times as integer milliseconds on both;
 * - what differs between the two (full-text search, JSON id lists, pragmas) comes from the
 *   named dialect modules, not from `if (dialect)` scattered through services.
 */

export type SqlValue = string | number | boolean | null | Uint8Array;

export interface SqlRunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

export type Dialect = "sqlite" | "postgres";

export interface Sql {
  readonly dialect: Dialect;
  /** Every row the statement returns, as plain objects keyed by column name. */
  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or null. */
  get<T>(text: string, params?: readonly SqlValue[]): Promise<T | null>;
  /** A statement run for its effect. */
  run(text: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
  /**
   * Runs `work` as the only writer, in one transaction that commits when it resolves and rolls
   * back when it throws (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction that takes the
   * shared write lock first). Read-modify-write sequences inside it, such as renumbering
   * positions, therefore see the latest committed state and no other writer in between.
   *
   * Every call on this `Sql` made while `work` runs (in its async context) joins the
   * transaction, so code handed `deps.sql` inside it needs no separate handle. A nested call
   * becomes a savepoint. Keep slow work (password hashing, mail, network) outside: the
   * transaction holds the write lock until it ends.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Whether the caller runs inside a `transaction` of this Sql (its async context does). */
  inTransaction(): boolean;
  /**
   * Runs `work` on one consistent snapshot of the database, for reads whose parts must agree (a
   * board page, a page of notifications with its counts, an export). Unlike `transaction`, it
   * does not take the write lock on PostgreSQL (a REPEATABLE READ, READ ONLY transaction, so it
   * neither waits for writers nor holds them up, and a write inside it fails). On SQLite, whose
   * one connection serves everything in turn, it is `transaction`. Inside a transaction it
   * joins it.
   */
  readTransaction<T>(work: () => Promise<T>): Promise<T>;
  /** Told how each outermost transaction ended; the realtime feed listens (one listener). */
  onTransactionEnd(listener: TransactionListener | null): void;
  /** Ends the connection(s); pending calls fail. */
  close(): Promise<void>;
}

/** How an outermost transaction ended, told synchronously right after COMMIT or ROLLBACK. */
export interface TransactionListener {
  committed(): void;
  rolledBack(): void;
}

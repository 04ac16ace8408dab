import type { Config } from "../config";
import type { Sql } from "../db/sql";
import type { WindowCounters } from "./counters";
import type { Serialize } from "./failure-budget";
import type { FeedWake } from "./wake";

/**
 * What several instances must share (decision 017), chosen once at start:
 * - REDIS_URL set: counters and wakes in Redis;
 * - else PostgreSQL: counters in `shared_counters`, wakes by LISTEN/NOTIFY;
 * - else (SQLite, one instance): neither. Rate limits and failure budgets keep their synchronous
 *   in-memory code, and the feed hears its own commits, exactly as before.
 */
export interface SharedState {
  readonly store: "memory" | "database" | "redis";
  /** Null: one instance, the in-memory counters. */
  readonly counters: WindowCounters | null;
  /** Null: one instance, the feed is woken by its own commits and its poll. */
  readonly wake: FeedWake | null;
  /**
   * Makes the failure budgets' steps atomic across instances (see createSharedFailureBudget):
   * the database's write lock when the counters are rows in it. Absent: steps run as they come.
   */
  readonly serialize?: Serialize;
  /** Closes the wake and any connection of its own; the database stays the caller's. */
  close(): Promise<void>;
}

/** One instance: nothing shared, nothing to close. */
export const LOCAL_STATE: SharedState = Object.freeze({
  store: "memory",
  counters: null,
  wake: null,
  close: async () => {},
});

/** Whether this configuration runs as one of several instances that must share state. */
export function sharesState(config: Pick<Config, "redisUrl">, sql: Pick<Sql, "dialect">): boolean {
  return config.redisUrl !== null || sql.dialect === "postgres";
}

/** The URL as it may be logged: host, port and database, without user or password. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
}

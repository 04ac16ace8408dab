import type { Sql } from "../db/sql";
import type { WindowCount, WindowCounters } from "./counters";

/**
 * The table behind SqlWindowCounters, valid on SQLite and PostgreSQL alike. The migrations of
 * both dialects create it (`shared_counters` in tables/ and pg-tables/); this DDL is for tests
 * of the store on a bare database. The index serves the sweep.
 */
export const SHARED_COUNTERS_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS shared_counters (
  key text PRIMARY KEY,
  count integer NOT NULL,
  reset_at bigint NOT NULL
)`,
  "CREATE INDEX IF NOT EXISTS shared_counters_reset_at ON shared_counters (reset_at)",
];

export async function createSharedCountersTable(sql: Sql): Promise<void> {
  for (const statement of SHARED_COUNTERS_DDL) await sql.run(statement);
}

/**
 * One statement counts a hit and restarts an ended window, so concurrent hits from any number
 * of instances each land exactly once: SQLite runs it under its single writer, PostgreSQL's
 * ON CONFLICT takes the row lock (or inserts the first row) atomically. Both evaluate the SET
 * expressions against the row as it was, so `count` and `reset_at` see the same old window.
 * Parameters: key, new reset_at, now, now.
 */
const HIT = `INSERT INTO shared_counters (key, count, reset_at) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN shared_counters.reset_at <= ? THEN 1 ELSE shared_counters.count + 1 END,
  reset_at = CASE WHEN shared_counters.reset_at <= ? THEN excluded.reset_at
    ELSE shared_counters.reset_at END
RETURNING count, reset_at`;

/** As HIT, but every hold pushes the end out (a lease). Parameters: key, new reset_at, now. */
const HOLD = `INSERT INTO shared_counters (key, count, reset_at) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN shared_counters.reset_at <= ? THEN 1 ELSE shared_counters.count + 1 END,
  reset_at = excluded.reset_at
RETURNING count, reset_at`;

const RELEASE =
  "UPDATE shared_counters SET count = count - 1 WHERE key = ? AND reset_at > ? AND count > 0";
const PEEK = "SELECT count, reset_at FROM shared_counters WHERE key = ? AND reset_at > ?";
const RESET = "DELETE FROM shared_counters WHERE key = ?";
const SWEEP = "DELETE FROM shared_counters WHERE reset_at <= ?";

/** PostgreSQL returns bigint columns as strings; SQLite as numbers. */
interface CounterRow {
  count: number | string;
  reset_at: number | string;
}

/**
 * Counters in the shared database, for several instances on one PostgreSQL server (or one
 * SQLite file). Ended windows stay as rows until `sweep` drops them (the scheduler's job); a hit
 * on an ended row restarts it in place, so they never count.
 */
export class SqlWindowCounters implements WindowCounters {
  constructor(private readonly sql: Sql) {}

  async hit(key: string, windowMs: number, now: number): Promise<WindowCount> {
    return toCount(await this.sql.get<CounterRow>(HIT, [key, now + windowMs, now, now]));
  }

  async hold(key: string, leaseMs: number, now: number): Promise<WindowCount> {
    return toCount(await this.sql.get<CounterRow>(HOLD, [key, now + leaseMs, now]));
  }

  async release(key: string, now: number): Promise<void> {
    await this.sql.run(RELEASE, [key, now]);
  }

  async peek(key: string, now: number): Promise<WindowCount | null> {
    const row = await this.sql.get<CounterRow>(PEEK, [key, now]);
    return row ? toCount(row) : null;
  }

  async reset(key: string): Promise<void> {
    await this.sql.run(RESET, [key]);
  }

  async sweep(now: number): Promise<number> {
    return (await this.sql.run(SWEEP, [now])).changes;
  }
}

function toCount(row: CounterRow | null): WindowCount {
  // An upsert with RETURNING always returns its row.
  if (row === null) throw new Error("shared_counters upsert returned no row");
  return { count: Number(row.count), resetAt: Number(row.reset_at) };
}

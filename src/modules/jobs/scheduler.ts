import type { Clock } from "../../platform/clock";
import type { Config } from "../../platform/config";
import { mergeSearchIndexesInTurn, type SearchIndexStore } from "../../platform/db/search-index";
import type { Sql } from "../../platform/db/sql";
import type { Logger } from "../../platform/logging";
import { FAILURE_WINDOW_MS } from "../auth/address-bans";
import { remindDueTasks } from "../notifications/due";
import type { NoticeContext } from "../notifications/raise";
import { pruneEvents } from "../realtime/event-rows";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Revoked sessions stay listed for a day so that a user can see what was signed out. */
const REVOKED_SESSION_RETENTION_MS = DAY;
const DONE_JOB_RETENTION_MS = DAY;
/** Failed jobs stay for admins to inspect. */
const FAILED_JOB_RETENTION_MS = 30 * DAY;
/** The unsubscribe link of a notification email works this long. */
const UNSUBSCRIBE_TOKEN_RETENTION_MS = 180 * DAY;
/**
 * Time each tick may spend merging search-index segments (see search-index.ts): a busy index
 * catches up over a few ticks without holding the write lock for long at once.
 */
const SEARCH_INDEX_MERGE_BUDGET_MS = 50;

export type PurgeCounts = Record<string, number>;

/** Deletes every row whose life is over. Refresh tokens go with their sessions (ON DELETE CASCADE). */
export async function purgeExpired({ sql }: { sql: Sql }, now: number): Promise<PurgeCounts> {
  const purge = async (text: string, ...params: number[]) => (await sql.run(text, params)).changes;
  return await sql.transaction(async () => ({
    sessions: await purge(
      `DELETE FROM sessions
       WHERE expires_at <= ? OR (revoked_at IS NOT NULL AND revoked_at <= ?)`,
      now,
      now - REVOKED_SESSION_RETENTION_MS,
    ),
    one_time_codes: await purge("DELETE FROM one_time_codes WHERE expires_at <= ?", now),
    password_reset_tokens: await purge(
      "DELETE FROM password_reset_tokens WHERE expires_at <= ?",
      now,
    ),
    bans: await purge("DELETE FROM bans WHERE expires_at <= ?", now),
    // Failures older than the ban window no longer count towards a ban.
    auth_failures: await purge(
      "DELETE FROM auth_failures WHERE created_at <= ?",
      now - FAILURE_WINDOW_MS,
    ),
    idempotency_keys: await purge("DELETE FROM idempotency_keys WHERE expires_at <= ?", now),
    jobs: await purge(
      `DELETE FROM jobs
       WHERE (status = 'done' AND updated_at <= ?) OR (status = 'failed' AND updated_at <= ?)`,
      now - DONE_JOB_RETENTION_MS,
      now - FAILED_JOB_RETENTION_MS,
    ),
    // A reminder's due date has passed: the reminder job looks at later due dates only.
    due_reminders: await purge("DELETE FROM due_reminders WHERE due_date <= ?", now),
    unsubscribe_tokens: await purge(
      "DELETE FROM unsubscribe_tokens WHERE created_at <= ?",
      now - UNSUBSCRIBE_TOKEN_RETENTION_MS,
    ),
    // Windows of the shared limits that have ended (a hit would restart one in place anyway).
    shared_counters: await purge("DELETE FROM shared_counters WHERE reset_at <= ?", now),
  }));
}

export interface Scheduler {
  /** Starts the timer; resolves when the first round (purge and reminders) has run. */
  start(): Promise<void>;
  stop(): void;
  /** Purges expired rows once, now. */
  runOnce(): Promise<PurgeCounts>;
  /** Raises the due-date reminders not raised yet, now; returns how many. */
  remindDue(): Promise<number>;
}

/**
 * Periodic work, in process: expired rows (and events past EVENT_RETENTION) are purged and due-date reminders raised at start and
 * every `intervalMs`; search-index segments are merged every `intervalMs`. Each reminder is
 * raised once even when several servers run this (see notifications/due.ts).
 */
export function createScheduler(
  services: NoticeContext &
    SearchIndexStore & {
      sql: Sql;
      clock: Clock;
      log: Logger;
      config: Pick<Config, "eventRetentionSeconds">;
    },
  intervalMs = 5 * MINUTE,
): Scheduler {
  let timer: ReturnType<typeof setInterval> | null = null;
  const runOnce = async () => {
    const now = services.clock.now();
    const counts = await purgeExpired(services, now);
    counts.events = await pruneEvents(
      services.sql,
      now - services.config.eventRetentionSeconds * 1000,
    );
    const purged = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    if (Object.keys(purged).length > 0) services.log.info("purged expired rows", purged);
    return counts;
  };
  // A failed round is logged and tried again at the next tick; it must never stop the timer.
  const guarded = (what: string, work: () => unknown) => async () => {
    try {
      await work();
    } catch (error) {
      services.log.error(`${what} failed`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const purge = guarded("scheduled purge", runOnce);
  const remindDue = async () => await remindDueTasks(services, services.clock.now());
  const remind = guarded("due-date reminders", async () => {
    const raised = await remindDue();
    if (raised > 0) services.log.info("raised due-date reminders", { count: raised });
  });
  const mergeIndexes = guarded("search index merge", async () => {
    const steps = await mergeSearchIndexesInTurn(services, SEARCH_INDEX_MERGE_BUDGET_MS);
    if (steps > 0) services.log.debug("merged search index segments", { steps });
  });
  return {
    start() {
      if (timer) return Promise.resolve();
      // The first round runs now; its promise lets a caller wait for it (each step is guarded).
      const first = Promise.all([purge(), remind()]).then(() => undefined);
      // Merging waits for the first interval: at start it would delay the first answers.
      timer = setInterval(async () => {
        await purge();
        await remind();
        await mergeIndexes();
      }, intervalMs);
      timer.unref?.();
      return first;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    runOnce,
    remindDue,
  };
}

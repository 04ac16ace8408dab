import { and, eq, isNotNull, lte, or } from "drizzle-orm";
import type { Clock } from "../../platform/clock";
import type { Config } from "../../platform/config";
import type { Db } from "../../platform/db/orm";
import { mergeSearchIndexesInTurn, type SearchIndexStore } from "../../platform/db/search-index";
import type { Sql } from "../../platform/db/sql";
import {
  authFailures,
  bans,
  dueReminders,
  idempotencyKeys,
  jobs,
  oneTimeCodes,
  passwordResetTokens,
  sessions,
  unsubscribeTokens,
} from "../../platform/db/tables";
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
export async function purgeExpired(
  { db, sql }: { db: Db; sql: Sql },
  now: number,
): Promise<PurgeCounts> {
  return await sql.transaction(async () => {
    const count = (rows: unknown[]) => rows.length;
    return {
      sessions: count(
        await db
          .delete(sessions)
          .where(
            or(
              lte(sessions.expiresAt, now),
              and(
                isNotNull(sessions.revokedAt),
                lte(sessions.revokedAt, now - REVOKED_SESSION_RETENTION_MS),
              ),
            ),
          )
          .returning({ id: sessions.id })
          .all(),
      ),
      one_time_codes: count(
        await db
          .delete(oneTimeCodes)
          .where(lte(oneTimeCodes.expiresAt, now))
          .returning({ id: oneTimeCodes.id })
          .all(),
      ),
      password_reset_tokens: count(
        await db
          .delete(passwordResetTokens)
          .where(lte(passwordResetTokens.expiresAt, now))
          .returning({ id: passwordResetTokens.id })
          .all(),
      ),
      bans: count(
        await db.delete(bans).where(lte(bans.expiresAt, now)).returning({ id: bans.id }).all(),
      ),
      auth_failures: count(
        await db
          .delete(authFailures)
          // Failures older than the ban window no longer count towards a ban.
          .where(lte(authFailures.createdAt, now - FAILURE_WINDOW_MS))
          .returning({ id: authFailures.id })
          .all(),
      ),
      idempotency_keys: count(
        await db
          .delete(idempotencyKeys)
          .where(lte(idempotencyKeys.expiresAt, now))
          .returning({ id: idempotencyKeys.id })
          .all(),
      ),
      jobs: count(
        await db
          .delete(jobs)
          .where(
            or(
              and(eq(jobs.status, "done"), lte(jobs.updatedAt, now - DONE_JOB_RETENTION_MS)),
              and(eq(jobs.status, "failed"), lte(jobs.updatedAt, now - FAILED_JOB_RETENTION_MS)),
            ),
          )
          .returning({ id: jobs.id })
          .all(),
      ),
      // A reminder's due date has passed: the reminder job looks at later due dates only.
      due_reminders: count(
        await db
          .delete(dueReminders)
          .where(lte(dueReminders.dueDate, now))
          .returning({ taskId: dueReminders.taskId })
          .all(),
      ),
      unsubscribe_tokens: count(
        await db
          .delete(unsubscribeTokens)
          .where(lte(unsubscribeTokens.createdAt, now - UNSUBSCRIBE_TOKEN_RETENTION_MS))
          .returning({ tokenHash: unsubscribeTokens.tokenHash })
          .all(),
      ),
    };
  });
}

export interface Scheduler {
  start(): void;
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
      db: Db;
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
      if (timer) return;
      void purge();
      void remind();
      // Merging waits for the first interval: at start it would delay the first answers.
      timer = setInterval(async () => {
        await purge();
        await remind();
        await mergeIndexes();
      }, intervalMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    runOnce,
    remindDue,
  };
}

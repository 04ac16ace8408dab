import { randomInt, timingSafeEqual } from "node:crypto";
import { and, count, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/orm";
import { type CodePurpose, JOB_STATUSES, jobs, oneTimeCodes } from "../../platform/db/tables";
import { SEND_EMAIL_JOB } from "../jobs/handlers";

/**
 * Emailed 6-digit codes: short-lived, few tries, stored only as hashes bound to user and purpose.
 *
 * One row per user and purpose, which outlives its code so that wrong guesses are remembered:
 * - `code_hash`: the live code's hash, or SPENT once the code has had its tries;
 * - `created_at`: when the code was issued; it works until created_at + CODE_TTL_MS;
 * - `failed_attempts`: wrong codes since the row was created, carried over to every new code;
 * - `expires_at`: when the row may be forgotten (the scheduler purges it then): the later of the
 *   code's expiry and CODE_FAILURE_MEMORY_MS after the latest wrong code.
 * Without the carry-over, asking for a new code every minute bought five new guesses each time.
 */

export const CODE_TTL_MS = 10 * 60_000;
/** No single code is tried more often than this. */
export const MAX_CODE_ATTEMPTS = 5;
/** A second request within this window sends nothing, so the endpoint cannot be used to spam. */
export const RESEND_INTERVAL_MS = 60_000;
/**
 * Wrong codes per user and purpose before no code is sent or accepted any more, until
 * CODE_FAILURE_MEMORY_MS pass without one: at most 10 guesses at a 1-in-a-million code a day.
 */
export const CODE_FAILURE_LIMIT = 2 * MAX_CODE_ATTEMPTS;
export const CODE_FAILURE_MEMORY_MS = 24 * 60 * 60_000;
/** Code emails that anonymous requests may have sent to one address, per purpose, in a day. */
export const CODE_EMAILS_PER_DAY = 5;
export const CODE_EMAIL_WINDOW_MS = 24 * 60 * 60_000;
/** Never a sha256 hex digest, so no code matches it. */
const SPENT = "";
/** A user id no account has (ids start at 1): unknown addresses do their lookups with it. */
const NO_USER = 0;

/** Uniform over 000000–999999: randomInt draws from the CSPRNG with rejection sampling. */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** The user id and purpose are hashed in, so a stored hash is worthless for any other account or use. */
export function hashCode(userId: number, purpose: CodePurpose, code: string): string {
  return new Bun.CryptoHasher("sha256").update(`${purpose}:${userId}:${code}`).digest("hex");
}

/**
 * What an anonymous request (forgot-password, resend-verification) may send: the subject of the
 * code's email, which the daily email cap counts by.
 */
export interface EmailCap {
  subject: string;
}

/**
 * Creates the user's code for this purpose, replacing any earlier one but keeping the count of
 * recent wrong codes. Returns null, sending and changing nothing, when that count has reached
 * CODE_FAILURE_LIMIT; and with `cap`, also when a code went to the same address less than
 * RESEND_INTERVAL_MS ago or CODE_EMAILS_PER_DAY such emails went out in the last day.
 */
export async function issueCode(
  tx: Db,
  now: number,
  user: { id: number; email: string },
  purpose: CodePurpose,
  cap: EmailCap | null,
): Promise<string | null> {
  // Drawn and hashed before deciding, so a refusal takes as long as a code.
  const code = generateCode();
  const codeHash = hashCode(user.id, purpose, code);
  const existing = await findCode(tx, user.id, purpose);
  const emailed = cap ? await countRecentEmails(tx, now, user.email, cap.subject) : 0;
  // Wrong codes for another address (the account's old one) say nothing about this one.
  const remembered =
    existing && existing.expiresAt > now && existing.email === user.email ? existing : undefined;
  const failures = remembered?.failedAttempts ?? 0;
  if (failures >= CODE_FAILURE_LIMIT) return null;
  if (cap) {
    if (remembered && now - remembered.createdAt < RESEND_INTERVAL_MS) return null;
    if (emailed >= CODE_EMAILS_PER_DAY) return null;
  }
  const values = {
    codeHash,
    email: user.email,
    failedAttempts: failures,
    createdAt: now,
    expiresAt: Math.max(now + CODE_TTL_MS, remembered?.expiresAt ?? 0),
  };
  await tx
    .insert(oneTimeCodes)
    .values({ userId: user.id, purpose, ...values })
    .onConflictDoUpdate({ target: [oneTimeCodes.userId, oneTimeCodes.purpose], set: values })
    .run();
  return code;
}

/**
 * For an address with no account (or none that may get a code): the same reads and hashing as
 * issueCode, and nothing written, so the time taken does not tell the two apart.
 */
export async function issueNoCode(
  tx: Db,
  now: number,
  email: string,
  purpose: CodePurpose,
  cap: EmailCap,
): Promise<void> {
  hashCode(NO_USER, purpose, generateCode());
  await findCode(tx, NO_USER, purpose);
  await countRecentEmails(tx, now, email, cap.subject);
}

export type CodeCheck = { ok: true; email: string } | { ok: false };

/**
 * Spends the code if it matches; a wrong guess is counted, and every MAX_CODE_ATTEMPTS-th wrong
 * guess spends the live code. `userId` may be null for an unknown address, which gets the same
 * lookup and hashing. Returns instead of throwing so that the caller's transaction commits the
 * counted try.
 */
export async function consumeCode(
  tx: Db,
  now: number,
  userId: number | null,
  purpose: CodePurpose,
  code: string,
): Promise<CodeCheck> {
  const presented = Buffer.from(hashCode(userId ?? NO_USER, purpose, code));
  const row = await findCode(tx, userId ?? NO_USER, purpose);
  const live =
    row &&
    row.codeHash !== SPENT &&
    now < row.createdAt + CODE_TTL_MS &&
    row.failedAttempts < CODE_FAILURE_LIMIT;
  if (!live) return { ok: false };
  const stored = Buffer.from(row.codeHash);
  if (stored.length !== presented.length || !timingSafeEqual(presented, stored)) {
    const failures = row.failedAttempts + 1;
    await tx
      .update(oneTimeCodes)
      .set({
        failedAttempts: failures,
        // Counted across codes, so a code issued after some wrong tries gets only the rest.
        codeHash: failures % MAX_CODE_ATTEMPTS === 0 ? SPENT : row.codeHash,
        expiresAt: Math.max(row.expiresAt, now + CODE_FAILURE_MEMORY_MS),
      })
      .where(eq(oneTimeCodes.id, row.id))
      .run();
    return { ok: false };
  }
  await tx.delete(oneTimeCodes).where(eq(oneTimeCodes.id, row.id)).run();
  return { ok: true, email: row.email };
}

export async function deleteCodes(tx: Db, userId: number, purpose: CodePurpose): Promise<void> {
  await tx
    .delete(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose)))
    .run();
}

export async function findCode(tx: Db, userId: number, purpose: CodePurpose) {
  return await tx
    .select()
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose)))
    .get();
}

/**
 * Emails with this subject queued for the address in the last CODE_EMAIL_WINDOW_MS, sent or not,
 * read from the jobs table (finished jobs are kept for a day, and keep `to` and `subject`).
 * A job never runs before it is created, so `run_at` bounds the scan through its index.
 */
async function countRecentEmails(
  tx: Db,
  now: number,
  to: string,
  subject: string,
): Promise<number> {
  const since = now - CODE_EMAIL_WINDOW_MS;
  return (
    (
      await tx
        .select({ n: count() })
        .from(jobs)
        .where(
          and(
            inArray(jobs.status, [...JOB_STATUSES]),
            gt(jobs.runAt, since),
            gt(jobs.createdAt, since),
            eq(jobs.type, SEND_EMAIL_JOB),
            sql`json_extract(${jobs.payload}, '$.to') = ${to}`,
            sql`json_extract(${jobs.payload}, '$.subject') = ${subject}`,
          ),
        )
        .get()
    )?.n ?? 0
  );
}

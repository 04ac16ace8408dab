import { randomInt, timingSafeEqual } from "node:crypto";
import { jsonText } from "../../platform/db/dialect";
import type { Sql } from "../../platform/db/sql";
import { type CodePurpose, JOB_STATUSES } from "../../platform/db/tables";
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
// Every status, so that the scan goes through the (status, run_at) index.
const STATUSES = JOB_STATUSES.map((status) => `'${status}'`).join(", ");
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
  sql: Sql,
  now: number,
  user: { id: number; email: string },
  purpose: CodePurpose,
  cap: EmailCap | null,
): Promise<string | null> {
  // Drawn and hashed before deciding, so a refusal takes as long as a code.
  const code = generateCode();
  const codeHash = hashCode(user.id, purpose, code);
  const existing = await findCode(sql, user.id, purpose);
  const emailed = cap ? await countRecentEmails(sql, now, user.email, cap.subject) : 0;
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
  await sql.run(
    `INSERT INTO one_time_codes (user_id, purpose, code_hash, email, failed_attempts, created_at,
       expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash,
       email = excluded.email, failed_attempts = excluded.failed_attempts,
       created_at = excluded.created_at, expires_at = excluded.expires_at`,
    [
      user.id,
      purpose,
      values.codeHash,
      values.email,
      values.failedAttempts,
      values.createdAt,
      values.expiresAt,
    ],
  );
  return code;
}

/**
 * For an address with no account (or none that may get a code): the same reads and hashing as
 * issueCode, and nothing written, so the time taken does not tell the two apart.
 */
export async function issueNoCode(
  sql: Sql,
  now: number,
  email: string,
  purpose: CodePurpose,
  cap: EmailCap,
): Promise<void> {
  hashCode(NO_USER, purpose, generateCode());
  await findCode(sql, NO_USER, purpose);
  await countRecentEmails(sql, now, email, cap.subject);
}

export type CodeCheck = { ok: true; email: string } | { ok: false };

/**
 * Spends the code if it matches; a wrong guess is counted, and every MAX_CODE_ATTEMPTS-th wrong
 * guess spends the live code. `userId` may be null for an unknown address, which gets the same
 * lookup and hashing. Returns instead of throwing so that the caller's transaction commits the
 * counted try.
 */
export async function consumeCode(
  sql: Sql,
  now: number,
  userId: number | null,
  purpose: CodePurpose,
  code: string,
): Promise<CodeCheck> {
  const presented = Buffer.from(hashCode(userId ?? NO_USER, purpose, code));
  const row = await findCode(sql, userId ?? NO_USER, purpose);
  const live =
    row &&
    row.codeHash !== SPENT &&
    now < row.createdAt + CODE_TTL_MS &&
    row.failedAttempts < CODE_FAILURE_LIMIT;
  if (!live) return { ok: false };
  const stored = Buffer.from(row.codeHash);
  if (stored.length !== presented.length || !timingSafeEqual(presented, stored)) {
    const failures = row.failedAttempts + 1;
    await sql.run(
      "UPDATE one_time_codes SET failed_attempts = ?, code_hash = ?, expires_at = ? WHERE id = ?",
      [
        failures,
        // Counted across codes, so a code issued after some wrong tries gets only the rest.
        failures % MAX_CODE_ATTEMPTS === 0 ? SPENT : row.codeHash,
        Math.max(row.expiresAt, now + CODE_FAILURE_MEMORY_MS),
        row.id,
      ],
    );
    return { ok: false };
  }
  await sql.run("DELETE FROM one_time_codes WHERE id = ?", [row.id]);
  return { ok: true, email: row.email };
}

export async function deleteCodes(sql: Sql, userId: number, purpose: CodePurpose): Promise<void> {
  await sql.run("DELETE FROM one_time_codes WHERE user_id = ? AND purpose = ?", [userId, purpose]);
}

export interface StoredCode {
  id: number;
  codeHash: string;
  email: string;
  failedAttempts: number;
  createdAt: number;
  expiresAt: number;
}

export async function findCode(
  sql: Sql,
  userId: number,
  purpose: CodePurpose,
): Promise<StoredCode | null> {
  const row = await sql.get<{
    id: number;
    code_hash: string;
    email: string;
    failed_attempts: number;
    created_at: number;
    expires_at: number;
  }>(
    `SELECT id, code_hash, email, failed_attempts, created_at, expires_at
     FROM one_time_codes WHERE user_id = ? AND purpose = ?`,
    [userId, purpose],
  );
  return (
    row && {
      id: row.id,
      codeHash: row.code_hash,
      email: row.email,
      failedAttempts: row.failed_attempts,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }
  );
}

/**
 * Emails with this subject queued for the address in the last CODE_EMAIL_WINDOW_MS, sent or not,
 * read from the jobs table (finished jobs are kept for a day, and keep `to` and `subject`).
 * A job never runs before it is created, so `run_at` bounds the scan through its index.
 */
async function countRecentEmails(
  sql: Sql,
  now: number,
  to: string,
  subject: string,
): Promise<number> {
  const since = now - CODE_EMAIL_WINDOW_MS;
  const row = await sql.get<{ n: number }>(
    `SELECT count(*) AS n FROM jobs
     WHERE status IN (${STATUSES}) AND run_at > ? AND created_at > ? AND type = ?
       AND ${jsonText(sql, "payload", "to")} = ? AND ${jsonText(sql, "payload", "subject")} = ?`,
    [since, since, SEND_EMAIL_JOB, to, subject],
  );
  return row?.n ?? 0;
}

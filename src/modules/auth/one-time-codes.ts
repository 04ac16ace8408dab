import { randomInt, timingSafeEqual } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "../../platform/db/client";
import { type CodePurpose, oneTimeCodes } from "../../platform/db/tables";

/** Emailed 6-digit codes: short-lived, few tries, stored only as hashes bound to user and purpose. */

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
/** A second request within this window sends nothing, so the endpoint cannot be used to spam. */
export const RESEND_INTERVAL_MS = 60_000;

/** Uniform over 000000–999999: randomInt draws from the CSPRNG with rejection sampling. */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** The user id and purpose are hashed in, so a stored hash is worthless for any other account or use. */
export function hashCode(userId: number, purpose: CodePurpose, code: string): string {
  return new Bun.CryptoHasher("sha256").update(`${purpose}:${userId}:${code}`).digest("hex");
}

/**
 * Creates the user's code for this purpose, replacing any earlier one (and its failed tries).
 * With `throttle`, returns null instead when a code went to the same address less than
 * RESEND_INTERVAL_MS ago.
 */
export function issueCode(
  tx: Tx,
  now: number,
  user: { id: number; email: string },
  purpose: CodePurpose,
  options: { throttle: boolean },
): string | null {
  if (options.throttle) {
    const existing = findCode(tx, user.id, purpose);
    if (
      existing &&
      existing.email === user.email &&
      now - existing.createdAt < RESEND_INTERVAL_MS
    ) {
      return null;
    }
  }
  const code = generateCode();
  const values = {
    codeHash: hashCode(user.id, purpose, code),
    email: user.email,
    failedAttempts: 0,
    createdAt: now,
    expiresAt: now + CODE_TTL_MS,
  };
  tx.insert(oneTimeCodes)
    .values({ userId: user.id, purpose, ...values })
    .onConflictDoUpdate({ target: [oneTimeCodes.userId, oneTimeCodes.purpose], set: values })
    .run();
  return code;
}

export type CodeCheck = { ok: true; email: string } | { ok: false };

/**
 * Spends the code if it matches; a wrong guess uses up one of the tries. Returns instead of
 * throwing so that the caller's transaction commits the counted try.
 */
export function consumeCode(
  tx: Tx,
  now: number,
  userId: number,
  purpose: CodePurpose,
  code: string,
): CodeCheck {
  const row = findCode(tx, userId, purpose);
  if (!row || row.expiresAt <= now || row.failedAttempts >= MAX_CODE_ATTEMPTS) return { ok: false };
  const presented = Buffer.from(hashCode(userId, purpose, code));
  if (!timingSafeEqual(presented, Buffer.from(row.codeHash))) {
    tx.update(oneTimeCodes)
      .set({ failedAttempts: sql`${oneTimeCodes.failedAttempts} + 1` })
      .where(eq(oneTimeCodes.id, row.id))
      .run();
    return { ok: false };
  }
  tx.delete(oneTimeCodes).where(eq(oneTimeCodes.id, row.id)).run();
  return { ok: true, email: row.email };
}

export function deleteCodes(tx: Tx, userId: number, purpose: CodePurpose): void {
  tx.delete(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose)))
    .run();
}

export function findCode(tx: Tx, userId: number, purpose: CodePurpose) {
  return tx
    .select()
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose)))
    .get();
}

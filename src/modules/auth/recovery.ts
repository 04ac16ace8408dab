import { and, eq, gt, isNull } from "drizzle-orm";
import type { PublicContext } from "../../platform/context";
import type { Db } from "../../platform/db/orm";
import { passwordResetTokens, sessions, users } from "../../platform/db/tables";
import { BadRequest } from "../../platform/errors";
import { enqueueEmail } from "../jobs/handlers";
import { raisePasswordChangedNotice } from "../notifications/raise";
import { passwordResetEmail } from "./emails";
import { consumeCode, deleteCodes, type EmailCap, issueCode, issueNoCode } from "./one-time-codes";
import { hashOpaqueToken, newOpaqueToken } from "./opaque-tokens";
import { assertAcceptablePassword } from "./service";
import { revokeSessions } from "./session-tokens";
import { enqueuePasswordChangedEmail } from "./verification";

export const RESET_TOKEN_TTL_SECONDS = 15 * 60;

export const RESET_CODE_SENT = {
  message: "If an account uses that address, a reset code is on its way.",
};
const BAD_CODE = "The code is wrong or has expired";
const BAD_RESET_TOKEN = "The reset token is invalid or has expired";
// The daily cap counts reset emails by their subject, whatever the code or recipient.
const RESET_EMAIL: EmailCap = {
  subject: passwordResetEmail("", { email: "", username: "" }, "").subject,
};

/**
 * Emails a reset code, unless the resend interval, the daily email cap or too many recent wrong
 * codes say otherwise. The answer, and the reads and hashing done, are the same whether or not
 * the address has an account, and the email is sent later by a job, so neither body nor timing
 * tells.
 */
export async function requestPasswordReset({ deps }: PublicContext, input: { email: string }) {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    const user = await deps.db.select().from(users).where(eq(users.email, email)).get();
    if (!user?.isActive) {
      await issueNoCode(deps.db, now, email, "password_reset", RESET_EMAIL);
      return;
    }
    const code = await issueCode(deps.db, now, user, "password_reset", RESET_EMAIL);
    if (code !== null)
      await enqueueEmail(deps.db, deps, passwordResetEmail(deps.config.appUrl, user, code));
  });
  return RESET_CODE_SENT;
}

/** Trades a correct code for a single-use reset token. */
export async function verifyResetCode(
  { deps }: PublicContext,
  input: { email: string; otp: string },
) {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const reset = newOpaqueToken();
  const ok = await deps.sql.transaction(async () => {
    const user = await deps.db.select().from(users).where(eq(users.email, email)).get();
    // An unknown address gets the same lookup and hashing, and the same answer.
    const check = await consumeCode(deps.db, now, user?.id ?? null, "password_reset", input.otp);
    // A code mailed to an address the account no longer uses proves nothing.
    if (!user || !check.ok || check.email !== user.email) return false;
    // One live reset token per user: an older, unused one stops working.
    await deps.db.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, user.id)).run();
    await deps.db
      .insert(passwordResetTokens)
      .values({
        userId: user.id,
        tokenHash: reset.hash,
        createdAt: now,
        expiresAt: now + RESET_TOKEN_TTL_SECONDS * 1000,
      })
      .run();
    return true;
  });
  if (!ok) throw new BadRequest(BAD_CODE);
  return { reset_token: reset.token, expires_in: RESET_TOKEN_TTL_SECONDS };
}

/**
 * Sets a new password with a reset token, once. Every session ends, since whoever held the
 * old password may hold one, and the owner is told by email.
 */
export async function resetPassword(
  { deps }: PublicContext,
  input: { reset_token: string; new_password: string },
) {
  const tokenHash = hashOpaqueToken(input.reset_token);
  const live = and(
    eq(passwordResetTokens.tokenHash, tokenHash),
    isNull(passwordResetTokens.usedAt),
    gt(passwordResetTokens.expiresAt, deps.clock.now()),
  );
  // Checked before the slow hash, and again in the transaction, which is what spends it.
  if (
    !(await deps.db
      .select({ id: passwordResetTokens.id })
      .from(passwordResetTokens)
      .where(live)
      .get())
  ) {
    throw new BadRequest(BAD_RESET_TOKEN);
  }
  assertAcceptablePassword(input.new_password, "/new_password");
  const passwordHash = await deps.passwords.hash(input.new_password);
  const now = deps.clock.now();
  const done = await deps.sql.transaction(async () => {
    const spent = await deps.db
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResetTokens.tokenHash, tokenHash),
          isNull(passwordResetTokens.usedAt),
          gt(passwordResetTokens.expiresAt, now),
        ),
      )
      .returning({ userId: passwordResetTokens.userId })
      .get();
    if (!spent) return false;
    // Receiving the code proved control of the address, so it counts as verified too.
    const user = await deps.db
      .update(users)
      .set({ passwordHash, emailVerified: true, updatedAt: now })
      .where(eq(users.id, spent.userId))
      .returning()
      .get();
    if (!user) return false;
    await revokeSessions(deps.db, deps.sql, now, eq(sessions.userId, user.id));
    await cancelPasswordResets(deps.db, user.id);
    await enqueuePasswordChangedEmail(deps.db, deps, user);
    await raisePasswordChangedNotice(deps, now, user.id);
    return true;
  });
  if (!done) throw new BadRequest(BAD_RESET_TOKEN);
  deps.log.info("password reset");
  return { message: "Password has been reset; sign in with the new password" };
}

/**
 * Deletes the user's pending password-reset codes and tokens. Call it wherever a password is set:
 * a reset already under way (another token from an earlier code) could otherwise still override
 * the new password.
 */
export async function cancelPasswordResets(tx: Db, userId: number): Promise<void> {
  await tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, userId)).run();
  await deleteCodes(tx, userId, "password_reset");
}

import type { PublicContext } from "../../platform/context";
import type { Sql } from "../../platform/db/sql";
import { BadRequest } from "../../platform/errors";
import { enqueueEmail } from "../jobs/handlers";
import { raisePasswordChangedNotice } from "../notifications/raise";
import { selectUserByEmail, updateUserRow } from "../users/rows";
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
    const user = await selectUserByEmail(deps.sql, email);
    if (!user?.isActive) {
      await issueNoCode(deps.sql, now, email, "password_reset", RESET_EMAIL);
      return;
    }
    const code = await issueCode(deps.sql, now, user, "password_reset", RESET_EMAIL);
    if (code !== null)
      await enqueueEmail(deps.sql, deps, passwordResetEmail(deps.config.appUrl, user, code));
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
    const user = await selectUserByEmail(deps.sql, email);
    // An unknown address gets the same lookup and hashing, and the same answer.
    const check = await consumeCode(deps.sql, now, user?.id ?? null, "password_reset", input.otp);
    // A code mailed to an address the account no longer uses proves nothing.
    if (!user || !check.ok || check.email !== user.email) return false;
    // One live reset token per user: an older, unused one stops working.
    await deps.sql.run("DELETE FROM password_reset_tokens WHERE user_id = ?", [user.id]);
    await deps.sql.run(
      `INSERT INTO password_reset_tokens (user_id, token_hash, created_at, expires_at)
       VALUES (?, ?, ?, ?)`,
      [user.id, reset.hash, now, now + RESET_TOKEN_TTL_SECONDS * 1000],
    );
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
  // Checked before the slow hash, and again in the transaction, which is what spends it.
  const live = await deps.sql.get(
    `SELECT id FROM password_reset_tokens
     WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
    [tokenHash, deps.clock.now()],
  );
  if (!live) throw new BadRequest(BAD_RESET_TOKEN);
  assertAcceptablePassword(input.new_password, "/new_password");
  const passwordHash = await deps.passwords.hash(input.new_password);
  const now = deps.clock.now();
  const done = await deps.sql.transaction(async () => {
    const spent = await deps.sql.get<{ user_id: number }>(
      `UPDATE password_reset_tokens SET used_at = ?
       WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
      [now, tokenHash, now],
    );
    if (!spent) return false;
    // Receiving the code proved control of the address, so it counts as verified too.
    const user = await updateUserRow(deps.sql, spent.user_id, {
      passwordHash,
      emailVerified: true,
      updatedAt: now,
    });
    if (!user) return false;
    await revokeSessions(deps.sql, now, { userId: user.id });
    await cancelPasswordResets(deps.sql, user.id);
    await enqueuePasswordChangedEmail(deps, user);
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
export async function cancelPasswordResets(sql: Sql, userId: number): Promise<void> {
  await sql.run("DELETE FROM password_reset_tokens WHERE user_id = ?", [userId]);
  await deleteCodes(sql, userId, "password_reset");
}

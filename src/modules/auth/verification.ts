import type { Deps } from "../../deps";
import type { PublicContext } from "../../platform/context";
import { BadRequest } from "../../platform/errors";
import { enqueueEmail } from "../jobs/handlers";
import { selectUserByEmail, updateUserRow } from "../users/rows";
import { passwordChangedEmail, verificationEmail } from "./emails";
import { consumeCode, type EmailCap, issueCode, issueNoCode } from "./one-time-codes";

export interface EmailRecipient {
  id: number;
  email: string;
  username: string;
}

export const VERIFICATION_SENT = {
  message: "If that address belongs to an unverified account, a new code is on its way.",
};
const BAD_CODE = "The code is wrong or has expired";
// The daily cap counts verification emails by their subject, whatever the code or recipient.
const VERIFICATION_EMAIL: EmailCap = {
  subject: verificationEmail("", { email: "", username: "" }, "").subject,
};

/**
 * Creates (or replaces) the user's email-verification code and enqueues the email that carries
 * it, inside the caller's transaction: the code and its email exist together or not at all.
 * For sign-up and address changes, so neither the resend interval nor the daily email cap
 * applies; too many recent wrong codes for the same address still stop it.
 */
export async function enqueueEmailVerification(deps: Deps, user: EmailRecipient): Promise<void> {
  const code = await issueCode(deps.sql, deps.clock.now(), user, "email_verification", null);
  if (code !== null)
    await enqueueEmail(deps.sql, deps, verificationEmail(deps.config.appUrl, user, code));
}

/** Tells the account owner that the password changed, so an unexpected change gets noticed. */
export async function enqueuePasswordChangedEmail(deps: Deps, user: EmailRecipient): Promise<void> {
  await enqueueEmail(deps.sql, deps, passwordChangedEmail(deps.config.appUrl, user));
}

/** Marks the address verified when the code emailed to that very address is presented. */
export async function verifyEmail({ deps }: PublicContext, input: { email: string; otp: string }) {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const verified = await deps.sql.transaction(async () => {
    const user = await selectUserByEmail(deps.sql, email);
    // An unknown address gets the same lookup and hashing, and the same answer.
    const check = await consumeCode(
      deps.sql,
      now,
      user?.id ?? null,
      "email_verification",
      input.otp,
    );
    // A code sent before an address change proves nothing about the new address.
    if (!user || !check.ok || check.email !== user.email) return false;
    await updateUserRow(deps.sql, user.id, { emailVerified: true, updatedAt: now });
    return true;
  });
  if (!verified) throw new BadRequest(BAD_CODE);
  deps.log.info("email verified");
  return { message: "Email address verified" };
}

/**
 * Always the same answer, with the same reads and hashing, so it cannot be used to learn which
 * addresses have accounts. Sends nothing within the resend interval, past the daily email cap,
 * or after too many recent wrong codes.
 */
export async function resendVerification({ deps }: PublicContext, input: { email: string }) {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    const user = await selectUserByEmail(deps.sql, email);
    if (!user || user.emailVerified || !user.isActive) {
      await issueNoCode(deps.sql, now, email, "email_verification", VERIFICATION_EMAIL);
      return;
    }
    const code = await issueCode(deps.sql, now, user, "email_verification", VERIFICATION_EMAIL);
    if (code !== null)
      await enqueueEmail(deps.sql, deps, verificationEmail(deps.config.appUrl, user, code));
  });
  return VERIFICATION_SENT;
}

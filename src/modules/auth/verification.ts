import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import type { PublicContext } from "../../platform/context";
import type { Tx } from "../../platform/db/client";
import { users } from "../../platform/db/tables";
import { BadRequest } from "../../platform/errors";
import { enqueueEmail } from "../jobs/handlers";
import { passwordChangedEmail, verificationEmail } from "./emails";
import { consumeCode, issueCode } from "./one-time-codes";

export interface EmailRecipient {
  id: number;
  email: string;
  username: string;
}

export const VERIFICATION_SENT = {
  message: "If that address belongs to an unverified account, a new code is on its way.",
};
const BAD_CODE = "The code is wrong or has expired";

/**
 * Creates (or replaces) the user's email-verification code and enqueues the email that carries
 * it, inside the caller's transaction: the code and its email exist together or not at all.
 */
export function enqueueEmailVerification(tx: Tx, deps: Deps, user: EmailRecipient): void {
  const code = issueCode(tx, deps.clock.now(), user, "email_verification", { throttle: false });
  if (code !== null) enqueueEmail(tx, deps, verificationEmail(deps.config.appUrl, user, code));
}

/** Tells the account owner that the password changed, so an unexpected change gets noticed. */
export function enqueuePasswordChangedEmail(tx: Tx, deps: Deps, user: EmailRecipient): void {
  enqueueEmail(tx, deps, passwordChangedEmail(deps.config.appUrl, user));
}

/** Marks the address verified when the code emailed to that very address is presented. */
export function verifyEmail({ deps }: PublicContext, input: { email: string; otp: string }) {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const verified = deps.db.transaction((tx) => {
    const user = tx.select().from(users).where(eq(users.email, email)).get();
    if (!user) return false;
    const check = consumeCode(tx, now, user.id, "email_verification", input.otp);
    // A code sent before an address change proves nothing about the new address.
    if (!check.ok || check.email !== user.email) return false;
    tx.update(users)
      .set({ emailVerified: true, updatedAt: now })
      .where(eq(users.id, user.id))
      .run();
    return true;
  });
  if (!verified) throw new BadRequest(BAD_CODE);
  deps.log.info("email verified");
  return { message: "Email address verified" };
}

/** Always the same answer, so it cannot be used to learn which addresses have accounts. */
export function resendVerification({ deps }: PublicContext, input: { email: string }) {
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  deps.db.transaction((tx) => {
    const user = tx.select().from(users).where(eq(users.email, email)).get();
    if (!user || user.emailVerified || !user.isActive) return;
    const code = issueCode(tx, now, user, "email_verification", { throttle: true });
    if (code !== null) enqueueEmail(tx, deps, verificationEmail(deps.config.appUrl, user, code));
  });
  return VERIFICATION_SENT;
}

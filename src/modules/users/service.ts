import type { ActorContext } from "../../platform/context";
import { isUniqueViolation } from "../../platform/db/errors";
import type { Sql } from "../../platform/db/sql";
import type { UserRow } from "../../platform/db/tables";
import { BadRequest, NotFound, ValidationFailed } from "../../platform/errors";
import { emailChangedEmail } from "../auth/emails";
import { cancelPasswordResets } from "../auth/recovery";
import { assertAcceptablePassword, DUPLICATE_ACCOUNT } from "../auth/service";
import { revokeSessions } from "../auth/session-tokens";
import { enqueueEmailVerification, enqueuePasswordChangedEmail } from "../auth/verification";
import { releaseBoardsOf } from "../boards/account";
import { enqueueEmail } from "../jobs/handlers";
import { raisePasswordChangedNotice } from "../notifications/raise";
import { forgetEventsOf } from "../realtime/events";
import { assertKeepsASuperadmin } from "./last-superadmin";
import { presentUser } from "./present";
import { verifyCurrentPassword } from "./reauth";
import { deleteUserRow, isTakenByAnother, selectUser, updateUserRow } from "./rows";

export interface UpdateMeInput {
  full_name?: string | null;
  username?: string;
  email?: string;
  email_notifications?: boolean;
  current_password?: string;
}

const WRONG_PASSWORD = "Current password is incorrect";

export async function getCurrentUser({ deps, actor }: ActorContext) {
  return presentUser(await findUser(deps.sql, actor.userId));
}

/**
 * Updates the caller's profile; a new email address is unverified until its code is entered.
 * Password reset codes go to the email address, so changing it needs the current password (a
 * stolen access token alone must not be enough to take the account over), and the old address
 * is told.
 */
export async function updateCurrentUser({ deps, actor }: ActorContext, input: UpdateMeInput) {
  if (input.email !== undefined && input.current_password === undefined) {
    throw new ValidationFailed("Changing the email address needs your current password", [
      { path: "/current_password", message: "Required when email is given" },
    ]);
  }
  // Checked before anything else, so that the duplicate check below cannot be used to probe
  // which addresses have accounts without knowing the password.
  if (input.current_password !== undefined) {
    const { passwordHash } = await findUser(deps.sql, actor.userId);
    await verifyCurrentPassword(
      { deps, actor },
      input.current_password,
      passwordHash,
      WRONG_PASSWORD,
    );
  }
  const user = await findUser(deps.sql, actor.userId);
  const changes: Partial<UserRow> = {};
  if (input.full_name !== undefined) changes.fullName = input.full_name?.trim() || null;
  if (input.email_notifications !== undefined) {
    changes.emailNotifications = input.email_notifications;
  }
  if (input.username !== undefined && input.username !== user.username) {
    changes.username = input.username;
  }
  const email = input.email?.trim().toLowerCase();
  if (email !== undefined && email !== user.email) {
    changes.email = email;
    changes.emailVerified = false;
  }
  if (Object.keys(changes).length === 0) return presentUser(user);
  if (await isTakenByAnother(deps.sql, user.id, changes.username, changes.email)) {
    throw new BadRequest(DUPLICATE_ACCOUNT);
  }

  changes.updatedAt = deps.clock.now();
  try {
    // No await since `user` was read: it is still the row this transaction updates.
    const updated = await deps.sql.transaction(async () => {
      const row = await updateUserRow(deps.sql, user.id, changes);
      if (!row) throw new NotFound("User not found");
      if (changes.email !== undefined) {
        await enqueueEmailVerification(deps, row);
        const oldAddress = { email: user.email, username: row.username };
        await enqueueEmail(
          deps.sql,
          deps,
          emailChangedEmail(deps.config.appUrl, oldAddress, row.email),
        );
      }
      return row;
    });
    if (changes.email !== undefined) deps.log.info("email address changed", { user_id: user.id });
    return presentUser(updated);
  } catch (error) {
    // Another account may have taken the name between the check and the write.
    if (isUniqueViolation(error)) throw new BadRequest(DUPLICATE_ACCOUNT);
    throw error;
  }
}

/** Changes the caller's password; every other session ends, the one in use stays. */
export async function changePassword(
  { deps, actor }: ActorContext,
  input: { current_password: string; new_password: string },
): Promise<void> {
  const user = await findUser(deps.sql, actor.userId);
  assertAcceptablePassword(input.new_password, "/new_password");
  await verifyCurrentPassword(
    { deps, actor },
    input.current_password,
    user.passwordHash,
    WRONG_PASSWORD,
  );
  const passwordHash = await deps.passwords.hash(input.new_password);
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    await updateUserRow(deps.sql, user.id, { passwordHash, updatedAt: now });
    await revokeSessions(deps.sql, now, { userId: user.id, exceptSessionId: actor.sessionId });
    await cancelPasswordResets(deps.sql, user.id);
    await enqueuePasswordChangedEmail(deps, user);
    await raisePasswordChangedNotice(deps, now, user.id);
  });
  deps.log.info("password changed", { user_id: user.id });
}

/**
 * Deletes the caller's account; foreign keys cascade to everything it owns, after the boards
 * have let go of it (see releaseBoardsOf).
 */
export async function deleteCurrentUser(
  { deps, actor }: ActorContext,
  input: { password: string },
): Promise<void> {
  const user = await findUser(deps.sql, actor.userId);
  await verifyCurrentPassword(
    { deps, actor },
    input.password,
    user.passwordHash,
    "Password is incorrect",
  );
  await deps.sql.transaction(async () => {
    // Re-read inside the write lock: the role may have changed while the password was checked.
    await assertKeepsASuperadmin(deps.sql, await findUser(deps.sql, user.id), "deleted");
    await releaseBoardsOf(deps.sql, deps.clock.now(), user.id);
    await forgetEventsOf(deps.sql, deps.clock.now(), user.id);
    await deleteUserRow(deps.sql, user.id);
  });
  deps.log.info("account deleted by its owner", { user_id: user.id });
}

export async function findUser(sql: Sql, id: number): Promise<UserRow> {
  const user = await selectUser(sql, id);
  if (!user) throw new NotFound("User not found");
  return user;
}

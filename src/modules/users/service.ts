import { and, eq, ne, or, sql } from "drizzle-orm";
import type { ActorContext } from "../../platform/context";
import type { Db, Tx } from "../../platform/db/client";
import {
  oneTimeCodes,
  passwordResetTokens,
  sessions,
  type UserRow,
  users,
} from "../../platform/db/tables";
import { BadRequest, NotFound } from "../../platform/errors";
import { assertAcceptablePassword } from "../auth/service";
import { revokeSessions } from "../auth/session-tokens";
import { enqueueEmailVerification, enqueuePasswordChangedEmail } from "../auth/verification";
import { assertKeepsASuperadmin } from "./last-superadmin";
import { presentUser } from "./present";

export interface UpdateMeInput {
  full_name?: string | null;
  username?: string;
  email?: string;
  email_notifications?: boolean;
}

// The same answer sign-up gives, so the two routes cannot be told apart by a prober.
const DUPLICATE_ACCOUNT = "Username or email already exists";

export function getCurrentUser({ deps, actor }: ActorContext) {
  return presentUser(findUser(deps.db, actor.userId));
}

/** Updates the caller's profile; a new email address is unverified until its code is entered. */
export function updateCurrentUser({ deps, actor }: ActorContext, input: UpdateMeInput) {
  const user = findUser(deps.db, actor.userId);
  const changes: Partial<typeof users.$inferInsert> = {};
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
  if (isTakenByAnother(deps.db, user.id, changes.username, changes.email)) {
    throw new BadRequest(DUPLICATE_ACCOUNT);
  }

  changes.updatedAt = deps.clock.now();
  try {
    const updated = deps.db.transaction((tx) => {
      const row = tx.update(users).set(changes).where(eq(users.id, user.id)).returning().get();
      if (!row) throw new NotFound("User not found");
      if (changes.email !== undefined) {
        enqueueEmailVerification(tx, deps, {
          id: row.id,
          email: row.email,
          username: row.username,
        });
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
  const user = findUser(deps.db, actor.userId);
  assertAcceptablePassword(input.new_password, "/new_password");
  if (!(await deps.passwords.verify(input.current_password, user.passwordHash))) {
    throw new BadRequest("Current password is incorrect");
  }
  const passwordHash = await deps.passwords.hash(input.new_password);
  const now = deps.clock.now();
  deps.db.transaction((tx) => {
    tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, user.id)).run();
    revokeSessions(tx, now, and(eq(sessions.userId, user.id), ne(sessions.id, actor.sessionId)));
    // A reset already under way would otherwise still be able to override the new password.
    tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, user.id)).run();
    tx.delete(oneTimeCodes)
      .where(and(eq(oneTimeCodes.userId, user.id), eq(oneTimeCodes.purpose, "password_reset")))
      .run();
    enqueuePasswordChangedEmail(tx, deps, user);
  });
  deps.log.info("password changed", { user_id: user.id });
}

/** Deletes the caller's account; foreign keys cascade to everything it owns. */
export async function deleteCurrentUser(
  { deps, actor }: ActorContext,
  input: { password: string },
): Promise<void> {
  const user = findUser(deps.db, actor.userId);
  if (!(await deps.passwords.verify(input.password, user.passwordHash))) {
    throw new BadRequest("Password is incorrect");
  }
  deps.db.transaction(
    (tx) => {
      const current = tx.select().from(users).where(eq(users.id, user.id)).get();
      if (!current) throw new NotFound("User not found");
      assertKeepsASuperadmin(tx, current, "deleted");
      tx.delete(users).where(eq(users.id, user.id)).run();
    },
    { behavior: "immediate" },
  );
  deps.log.info("account deleted by its owner", { user_id: user.id });
}

export function findUser(db: Db | Tx, id: number): UserRow {
  const user = db.select().from(users).where(eq(users.id, id)).get();
  if (!user) throw new NotFound("User not found");
  return user;
}

function isTakenByAnother(db: Db, userId: number, username?: string, email?: string): boolean {
  const clashes = [
    username === undefined ? undefined : eq(sql`lower(${users.username})`, username.toLowerCase()),
    email === undefined ? undefined : eq(users.email, email),
  ].filter((clause) => clause !== undefined);
  if (clashes.length === 0) return false;
  const row = db
    .select({ id: users.id })
    .from(users)
    .where(and(ne(users.id, userId), or(...clashes)))
    .get();
  return row !== undefined;
}

function isUniqueViolation(error: unknown): boolean {
  // drizzle wraps driver errors; the SQLite message is on the cause.
  return [error, (error as { cause?: unknown })?.cause].some(
    (e) => e instanceof Error && e.message.includes("UNIQUE constraint failed"),
  );
}

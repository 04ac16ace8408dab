import { asc, count, desc, eq, gt, type SQL, sql } from "drizzle-orm";
import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import { authFailures, bans, type Role, sessions, users } from "../../platform/db/tables";
import { Forbidden, NotFound } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { createAccount, type SignupInput } from "../auth/service";
import { revokeSessions } from "../auth/session-tokens";
import { releaseBoardsOf } from "../boards/account";
import { forgetEventsOf } from "../realtime/events";
import { assertKeepsASuperadmin } from "../users/last-superadmin";
import { presentAdminUser } from "../users/present";
import { findUser } from "../users/service";

// Role checks on the route (`auth: 'admin'`) let admins in; these rules decide what they may
// change. Callers reach here only as admin or superadmin.

export interface PageInput {
  limit?: number;
  offset?: number;
}

export async function listUsers({ deps }: ActorContext, input: PageInput & { q?: string }) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const where = input.q === undefined ? undefined : matchesText(input.q);
  const total = (await deps.db.select({ n: count() }).from(users).where(where).get())?.n ?? 0;
  const rows = await deps.db
    .select()
    .from(users)
    .where(where)
    .orderBy(asc(users.id))
    .limit(limit)
    .offset(offset)
    .all();
  return { items: rows.map(presentAdminUser), total, limit, offset };
}

/**
 * An account made by an admin: the way in when public sign-up is closed. The admin vouches for
 * the address, so it is created verified and no verification email goes out.
 */
export async function createUser(
  { deps, actor }: ActorContext,
  input: SignupInput & { role?: Role },
) {
  const role = input.role ?? "user";
  if (role !== "user" && actor.role !== "superadmin") {
    throw new Forbidden("Only a superadmin can create admins and superadmins");
  }
  const user = await createAccount(deps, input, { verified: true, role });
  deps.log.info("user created by admin", { user_id: user.id, by: actor.userId, role });
  return presentAdminUser(user);
}

export async function getUser({ deps }: ActorContext, userId: number) {
  return presentAdminUser(await findUser(deps.db, userId));
}

export async function updateUser(
  { deps, actor }: ActorContext,
  userId: number,
  input: { role?: Role; is_active?: boolean },
) {
  const now = deps.clock.now();
  const { before, after } = await deps.sql.transaction(async () => {
    const target = await findUser(deps.db, userId);
    const role = input.role ?? target.role;
    const isActive = input.is_active ?? target.isActive;
    assertMayManage(actor, target.role);
    if (role !== target.role && actor.role !== "superadmin") {
      throw new Forbidden("Only a superadmin can change roles");
    }
    if (role === target.role && isActive === target.isActive) {
      return { before: target, after: target };
    }
    await assertKeepsASuperadmin(deps.db, target, { role, isActive });
    await deps.db
      .update(users)
      .set({ role, isActive, updatedAt: now })
      .where(eq(users.id, target.id))
      .run();
    // findActor already refuses an inactive user's tokens; revoking also ends their refresh
    // tokens, so reactivating the account later does not bring old sessions back.
    if (!isActive) await revokeSessions(deps.db, deps.sql, now, eq(sessions.userId, target.id));
    return { before: target, after: await findUser(deps.db, target.id) };
  });
  if (before.role !== after.role || before.isActive !== after.isActive) {
    deps.log.info("user changed by admin", {
      user_id: after.id,
      by: actor.userId,
      role: after.role,
      is_active: after.isActive,
    });
  }
  return presentAdminUser(after);
}

export async function deleteUser({ deps, actor }: ActorContext, userId: number): Promise<void> {
  await deps.sql.transaction(async () => {
    const target = await findUser(deps.db, userId);
    assertMayManage(actor, target.role);
    await assertKeepsASuperadmin(deps.db, target, "deleted");
    await releaseBoardsOf(deps.sql, deps.clock.now(), target.id);
    await forgetEventsOf(deps.sql, deps.clock.now(), target.id);
    await deps.db.delete(users).where(eq(users.id, target.id)).run();
  });
  deps.log.info("user deleted by admin", { user_id: userId, by: actor.userId });
}

export async function listBans({ deps }: ActorContext, input: PageInput) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const active = gt(bans.expiresAt, deps.clock.now());
  const total = (await deps.db.select({ n: count() }).from(bans).where(active).get())?.n ?? 0;
  const rows = await deps.db
    .select()
    .from(bans)
    .where(active)
    .orderBy(desc(bans.createdAt), desc(bans.id))
    .limit(limit)
    .offset(offset)
    .all();
  const items = rows.map((ban) => ({
    id: ban.id,
    ip: ban.ip,
    reason: ban.reason,
    created_at: toIso(ban.createdAt),
    expires_at: toIso(ban.expiresAt),
  }));
  return { items, total, limit, offset };
}

/** Lifts a ban and forgets the address's recent failures, which would otherwise re-ban it at once. */
export async function liftBan({ deps, actor }: ActorContext, banId: number): Promise<void> {
  const ip = await deps.sql.transaction(async () => {
    const ban = await deps.db.delete(bans).where(eq(bans.id, banId)).returning().get();
    if (!ban) throw new NotFound("Ban not found");
    await deps.db.delete(authFailures).where(eq(authFailures.ip, ban.ip)).run();
    return ban.ip;
  });
  deps.log.info("ban lifted", { ip, by: actor.userId });
}

/** An admin manages plain users only; a superadmin manages everyone. */
function assertMayManage(actor: ActorContext["actor"], targetRole: Role): void {
  if (targetRole !== "user" && actor.role !== "superadmin") {
    throw new Forbidden("Only a superadmin can change an admin or superadmin");
  }
}

/** Case-insensitive substring match; `%`, `_` and `\` in the search text match themselves. */
function matchesText(text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // SQLite's LIKE already ignores case (for ASCII letters, as lower() would).
  return sql`(${users.username} LIKE ${pattern} ESCAPE '\\' OR ${users.email} LIKE ${pattern} ESCAPE '\\' OR ${users.fullName} LIKE ${pattern} ESCAPE '\\')`;
}

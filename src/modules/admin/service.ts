import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import type { Role } from "../../platform/db/tables";
import { Forbidden, NotFound } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { createAccount, type SignupInput } from "../auth/service";
import { revokeSessions } from "../auth/session-tokens";
import { releaseBoardsOf } from "../boards/account";
import { forgetEventsOf } from "../realtime/events";
import { assertKeepsASuperadmin } from "../users/last-superadmin";
import { presentAdminUser } from "../users/present";
import { deleteUserRow, selectUsersPage, updateUserRow } from "../users/rows";
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
  const { rows, total } = await selectUsersPage(deps.sql, input.q, limit, offset);
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
  return presentAdminUser(await findUser(deps.sql, userId));
}

export async function updateUser(
  { deps, actor }: ActorContext,
  userId: number,
  input: { role?: Role; is_active?: boolean },
) {
  const now = deps.clock.now();
  const { before, after } = await deps.sql.transaction(async () => {
    const target = await findUser(deps.sql, userId);
    const role = input.role ?? target.role;
    const isActive = input.is_active ?? target.isActive;
    assertMayManage(actor, target.role);
    if (role !== target.role && actor.role !== "superadmin") {
      throw new Forbidden("Only a superadmin can change roles");
    }
    if (role === target.role && isActive === target.isActive) {
      return { before: target, after: target };
    }
    await assertKeepsASuperadmin(deps.sql, target, { role, isActive });
    await updateUserRow(deps.sql, target.id, { role, isActive, updatedAt: now });
    // findActor already refuses an inactive user's tokens; revoking also ends their refresh
    // tokens, so reactivating the account later does not bring old sessions back.
    if (!isActive) await revokeSessions(deps.sql, now, { userId: target.id });
    return { before: target, after: await findUser(deps.sql, target.id) };
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
    const target = await findUser(deps.sql, userId);
    assertMayManage(actor, target.role);
    await assertKeepsASuperadmin(deps.sql, target, "deleted");
    await releaseBoardsOf(deps.sql, deps.clock.now(), target.id);
    await forgetEventsOf(deps.sql, deps.clock.now(), target.id);
    await deleteUserRow(deps.sql, target.id);
  });
  deps.log.info("user deleted by admin", { user_id: userId, by: actor.userId });
}

export async function listBans({ deps }: ActorContext, input: PageInput) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const now = deps.clock.now();
  const total =
    (
      await deps.sql.get<{ n: number }>("SELECT count(*) AS n FROM bans WHERE expires_at > ?", [
        now,
      ])
    )?.n ?? 0;
  const rows = await deps.sql.all<{
    id: number;
    ip: string;
    reason: string;
    created_at: number;
    expires_at: number;
  }>(
    `SELECT id, ip, reason, created_at, expires_at FROM bans WHERE expires_at > ?
     ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
    [now, limit, offset],
  );
  const items = rows.map((ban) => ({
    id: ban.id,
    ip: ban.ip,
    reason: ban.reason,
    created_at: toIso(ban.created_at),
    expires_at: toIso(ban.expires_at),
  }));
  return { items, total, limit, offset };
}

/** Lifts a ban and forgets the address's recent failures, which would otherwise re-ban it at once. */
export async function liftBan({ deps, actor }: ActorContext, banId: number): Promise<void> {
  const ip = await deps.sql.transaction(async () => {
    const ban = await deps.sql.get<{ ip: string }>("DELETE FROM bans WHERE id = ? RETURNING ip", [
      banId,
    ]);
    if (!ban) throw new NotFound("Ban not found");
    await deps.sql.run("DELETE FROM auth_failures WHERE ip = ?", [ban.ip]);
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

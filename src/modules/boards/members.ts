import type { ActorContext } from "../../platform/context";
import type { Sql } from "../../platform/db/sql";
import type { BoardRole } from "../../platform/db/tables";
import { Conflict, NotFound } from "../../platform/errors";
import { raiseMemberAddedNotice } from "../notifications/raise";
import { recordTasksChanged } from "../tasks/events";
import { authorizeBoard } from "./access";
import { recordBoardChange } from "./changes";
import { recordBoardUpdated, recordMemberRemoved, recordMemberSaved } from "./events";
import { type MemberView, presentMember } from "./present";
import {
  clearAssignments,
  deleteMember,
  findUserByLogin,
  insertMember,
  type StoredMember,
  selectMember,
  selectMembers,
  updateBoardOwner,
  updateMemberRole,
} from "./rows";

const MEMBER_NOT_FOUND = "Member not found";
const OWNER_MUST_HAND_OVER =
  "The owner cannot leave or step down; hand the board over first with role owner";

export async function listMembers(
  { deps, actor }: ActorContext,
  boardId: number,
): Promise<MemberView[]> {
  await authorizeBoard(deps.sql, actor.userId, boardId, "board.read");
  return (await selectMembers(deps.sql, boardId)).map(presentMember);
}

/** Adds an account, named by username or email, as editor or viewer (owner only). */
export async function addMember(
  { deps, actor }: ActorContext,
  boardId: number,
  input: { user: string; role: "editor" | "viewer" },
): Promise<MemberView> {
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    await authorizeBoard(deps.sql, actor.userId, boardId, "member.add");
    const user = await findUserByLogin(deps.sql, input.user.trim());
    if (!user) throw new NotFound("User not found");
    if (await selectMember(deps.sql, boardId, user.id)) {
      throw new Conflict("This user is already a member of the board");
    }
    await insertMember(deps.sql, { boardId, userId: user.id, role: input.role, now });
    const member = await mustFindMember(deps.sql, boardId, user.id);
    await recordBoardChange(deps.sql, now, {
      boardId,
      actorId: actor.userId,
      action: "member.added",
      subjectType: "member",
      subjectId: user.id,
      data: { username: member.username, role: member.role },
    });
    await recordMemberSaved(deps.sql, now, "member.added", boardId, member);
    await raiseMemberAddedNotice(deps, now, actor.userId, boardId, {
      userId: user.id,
      role: input.role,
    });
    return presentMember(member);
  });
}

/**
 * Changes a member's role (owner only). Giving someone the role `owner` hands the board over:
 * they become its owner and the caller an editor. The owner cannot simply step down: a board
 * always has exactly one owner.
 */
export async function updateMember(
  { deps, actor }: ActorContext,
  boardId: number,
  userId: number,
  input: { role: BoardRole },
): Promise<MemberView> {
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    await authorizeBoard(deps.sql, actor.userId, boardId, "member.update");
    const target = await mustFindMember(deps.sql, boardId, userId);
    if (target.role === input.role) return presentMember(target);
    if (target.role === "owner") throw new Conflict(OWNER_MUST_HAND_OVER);
    const change = {
      boardId,
      actorId: actor.userId,
      action: "member.role_changed",
      subjectType: "member",
      data: { from: target.role, to: input.role },
    } as const;
    if (input.role === "owner") {
      await updateMemberRole(deps.sql, boardId, actor.userId, "editor");
      await updateBoardOwner(deps.sql, boardId, userId);
      await recordBoardChange(deps.sql, now, {
        ...change,
        subjectId: actor.userId,
        data: { from: "owner", to: "editor" },
      });
    }
    await updateMemberRole(deps.sql, boardId, userId, input.role);
    await recordBoardChange(deps.sql, now, { ...change, subjectId: userId });
    const updated = await mustFindMember(deps.sql, boardId, userId);
    await recordMemberSaved(deps.sql, now, "member.updated", boardId, updated);
    if (input.role === "owner") {
      const former = await mustFindMember(deps.sql, boardId, actor.userId);
      await recordMemberSaved(deps.sql, now, "member.updated", boardId, former);
      await recordBoardUpdated(deps.sql, now, boardId);
    }
    return presentMember(updated);
  });
}

/**
 * Removes a member (owner only), or lets a member leave (anyone but the owner, who hands the
 * board over first). Their assignments on the board's cards are cleared: an assignee is always
 * a member. The cards they created stay on the board.
 */
export async function removeMember(
  { deps, actor }: ActorContext,
  boardId: number,
  userId: number,
): Promise<void> {
  const now = deps.clock.now();
  const leaving = userId === actor.userId;
  await deps.sql.transaction(async () => {
    await authorizeBoard(
      deps.sql,
      actor.userId,
      boardId,
      leaving ? "member.leave" : "member.remove",
    );
    const target = await mustFindMember(deps.sql, boardId, userId);
    if (target.role === "owner") throw new Conflict(OWNER_MUST_HAND_OVER);
    await removeMembership(deps.sql, now, boardId, target, actor.userId);
  });
}

/** Ends one membership with everything that goes with it; inside the caller's transaction. */
export async function removeMembership(
  sql: Sql,
  now: number,
  boardId: number,
  member: Pick<StoredMember, "user_id" | "username">,
  actorId: number,
): Promise<void> {
  await deleteMember(sql, boardId, member.user_id);
  const unassigned = await clearAssignments(sql, boardId, member.user_id, now);
  await recordMemberRemoved(sql, now, boardId, member.user_id);
  await recordTasksChanged(sql, now, unassigned);
  await recordBoardChange(sql, now, {
    boardId,
    actorId,
    action: "member.removed",
    subjectType: "member",
    subjectId: member.user_id,
    data: {
      username: member.username,
      left: actorId === member.user_id,
      ...(unassigned.length > 0 ? { unassigned_cards: unassigned } : {}),
    },
  });
}

async function mustFindMember(sql: Sql, boardId: number, userId: number): Promise<StoredMember> {
  const member = await selectMember(sql, boardId, userId);
  if (!member) throw new NotFound(MEMBER_NOT_FOUND);
  return member;
}

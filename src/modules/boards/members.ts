import type { Database } from "bun:sqlite";
import type { ActorContext } from "../../platform/context";
import type { BoardRole } from "../../platform/db/tables";
import { writeTransaction } from "../../platform/db/tx";
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

export function listMembers({ deps, actor }: ActorContext, boardId: number): MemberView[] {
  authorizeBoard(deps.sqlite, actor.userId, boardId, "board.read");
  return selectMembers(deps.sqlite, boardId).map(presentMember);
}

/** Adds an account, named by username or email, as editor or viewer (owner only). */
export function addMember(
  { deps, actor }: ActorContext,
  boardId: number,
  input: { user: string; role: "editor" | "viewer" },
): MemberView {
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    authorizeBoard(deps.sqlite, actor.userId, boardId, "member.add");
    const user = findUserByLogin(deps.sqlite, input.user.trim());
    if (!user) throw new NotFound("User not found");
    if (selectMember(deps.sqlite, boardId, user.id)) {
      throw new Conflict("This user is already a member of the board");
    }
    insertMember(deps.sqlite, { boardId, userId: user.id, role: input.role, now });
    const member = mustFindMember(deps.sqlite, boardId, user.id);
    recordBoardChange(deps.sqlite, now, {
      boardId,
      actorId: actor.userId,
      action: "member.added",
      subjectType: "member",
      subjectId: user.id,
      data: { username: member.username, role: member.role },
    });
    recordMemberSaved(deps.sqlite, now, "member.added", boardId, member);
    raiseMemberAddedNotice(deps, now, actor.userId, boardId, { userId: user.id, role: input.role });
    return presentMember(member);
  });
}

/**
 * Changes a member's role (owner only). Giving someone the role `owner` hands the board over:
 * they become its owner and the caller an editor. The owner cannot simply step down: a board
 * always has exactly one owner.
 */
export function updateMember(
  { deps, actor }: ActorContext,
  boardId: number,
  userId: number,
  input: { role: BoardRole },
): MemberView {
  const now = deps.clock.now();
  return writeTransaction(deps.sqlite, () => {
    authorizeBoard(deps.sqlite, actor.userId, boardId, "member.update");
    const target = mustFindMember(deps.sqlite, boardId, userId);
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
      updateMemberRole(deps.sqlite, boardId, actor.userId, "editor");
      updateBoardOwner(deps.sqlite, boardId, userId);
      recordBoardChange(deps.sqlite, now, {
        ...change,
        subjectId: actor.userId,
        data: { from: "owner", to: "editor" },
      });
    }
    updateMemberRole(deps.sqlite, boardId, userId, input.role);
    recordBoardChange(deps.sqlite, now, { ...change, subjectId: userId });
    const updated = mustFindMember(deps.sqlite, boardId, userId);
    recordMemberSaved(deps.sqlite, now, "member.updated", boardId, updated);
    if (input.role === "owner") {
      const former = mustFindMember(deps.sqlite, boardId, actor.userId);
      recordMemberSaved(deps.sqlite, now, "member.updated", boardId, former);
      recordBoardUpdated(deps.sqlite, now, boardId);
    }
    return presentMember(updated);
  });
}

/**
 * Removes a member (owner only), or lets a member leave (anyone but the owner, who hands the
 * board over first). Their assignments on the board's cards are cleared: an assignee is always
 * a member. The cards they created stay on the board.
 */
export function removeMember({ deps, actor }: ActorContext, boardId: number, userId: number): void {
  const now = deps.clock.now();
  const leaving = userId === actor.userId;
  writeTransaction(deps.sqlite, () => {
    authorizeBoard(deps.sqlite, actor.userId, boardId, leaving ? "member.leave" : "member.remove");
    const target = mustFindMember(deps.sqlite, boardId, userId);
    if (target.role === "owner") throw new Conflict(OWNER_MUST_HAND_OVER);
    removeMembership(deps.sqlite, now, boardId, target, actor.userId);
  });
}

/** Ends one membership with everything that goes with it; inside the caller's transaction. */
export function removeMembership(
  sqlite: Database,
  now: number,
  boardId: number,
  member: Pick<StoredMember, "user_id" | "username">,
  actorId: number,
): void {
  deleteMember(sqlite, boardId, member.user_id);
  const unassigned = clearAssignments(sqlite, boardId, member.user_id, now);
  recordMemberRemoved(sqlite, now, boardId, member.user_id);
  recordTasksChanged(sqlite, now, unassigned);
  recordBoardChange(sqlite, now, {
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

function mustFindMember(sqlite: Database, boardId: number, userId: number): StoredMember {
  const member = selectMember(sqlite, boardId, userId);
  if (!member) throw new NotFound(MEMBER_NOT_FOUND);
  return member;
}

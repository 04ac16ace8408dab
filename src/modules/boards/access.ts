import type { Sql } from "../../platform/db/sql";
import type { BoardRole } from "../../platform/db/tables";
import { Forbidden, NotFound } from "../../platform/errors";

/**
 * The one place that decides who may do what on a board and on everything on it (lists, cards,
 * comments, activity). Services ask here first, before any rule or write.
 *
 * A user who is not a member gets 404 for the board and everything on it, worded exactly as for
 * something that does not exist; a member whose role is too low gets 403.
 */

export const BOARD_ACTIONS = [
  "board.read",
  "board.update",
  "board.delete",
  "member.add",
  "member.update",
  "member.remove",
  "member.leave",
  "list.create",
  "list.update",
  "list.delete",
  "card.read",
  "card.create",
  "card.update",
  "card.delete",
  "comment.read",
  "comment.create",
  "comment.update",
  "comment.delete",
  "activity.read",
] as const;
export type BoardAction = (typeof BOARD_ACTIONS)[number];

/** The least role each action needs. Comment edits also need authorship (see authorizeComment). */
const LEAST_ROLE: Record<BoardAction, BoardRole> = {
  "board.read": "viewer",
  "board.update": "owner",
  "board.delete": "owner",
  "member.add": "owner",
  "member.update": "owner",
  "member.remove": "owner",
  "member.leave": "viewer",
  "list.create": "editor",
  "list.update": "editor",
  "list.delete": "editor",
  "card.read": "viewer",
  "card.create": "editor",
  "card.update": "editor",
  "card.delete": "editor",
  "comment.read": "viewer",
  "comment.create": "editor",
  "comment.update": "editor",
  "comment.delete": "editor",
  "activity.read": "viewer",
};

const RANK: Record<BoardRole, number> = { viewer: 0, editor: 1, owner: 2 };

export function allows(role: BoardRole, action: BoardAction): boolean {
  return RANK[role] >= RANK[LEAST_ROLE[action]];
}

export const NOT_FOUND = {
  board: "Board not found",
  list: "List not found",
  task: "Task not found",
  comment: "Comment not found",
} as const;

export type Hidden = keyof typeof NOT_FOUND;

/** The user's role on the board, or null when they are not a member (or there is no board). */
export async function findRole(
  sql: Sql,
  boardId: number,
  userId: number,
): Promise<BoardRole | null> {
  const row = await sql.get<{ role: BoardRole }>(
    "SELECT role FROM board_members WHERE user_id = ? AND board_id = ?",
    [userId, boardId],
  );
  return row?.role ?? null;
}

/**
 * The caller's role on the board if it allows `action`. Not a member: 404, worded for what the
 * caller asked about (`hidden`: the board, a list, a task or a comment). A member whose role is
 * too low: 403.
 */
export async function authorizeBoard(
  sql: Sql,
  userId: number,
  boardId: number,
  action: BoardAction,
  hidden: Hidden = "board",
): Promise<BoardRole> {
  const role = await findRole(sql, boardId, userId);
  if (role === null) throw new NotFound(NOT_FOUND[hidden]);
  if (!allows(role, action)) throw new Forbidden(forbiddenDetail(action));
  return role;
}

/** What a task needs to be checked: its owner, and its board when it is a card. */
export interface TaskScope {
  ownerId: number;
  boardId: number | null;
}

export type TaskAction = Extract<BoardAction, `card.${string}` | `comment.${string}`>;

/**
 * May the user do `action` on this task? A personal task is its owner's alone: everyone else
 * gets 404. A card follows the caller's role on its board.
 */
export async function authorizeTask(
  sql: Sql,
  userId: number,
  task: TaskScope,
  action: TaskAction,
  hidden: Hidden = "task",
): Promise<BoardRole | "personal"> {
  if (task.boardId === null) {
    if (task.ownerId !== userId) throw new NotFound(NOT_FOUND[hidden]);
    return "personal";
  }
  return await authorizeBoard(sql, userId, task.boardId, action, hidden);
}

/**
 * Editing a comment is for its author; deleting it for its author or the board's owner. Both
 * also need a role that may write comments: a viewer changes nothing, even their own words from
 * before they were made a viewer.
 */
export async function authorizeComment(
  sql: Sql,
  userId: number,
  comment: { authorId: number },
  task: TaskScope,
  action: "comment.update" | "comment.delete",
): Promise<void> {
  const role = await authorizeTask(sql, userId, task, action, "comment");
  if (comment.authorId === userId) return;
  if (action === "comment.delete" && role === "owner") return;
  throw new Forbidden(
    action === "comment.update"
      ? "Only the author may edit a comment"
      : "Only the author or the board's owner may delete a comment",
  );
}

function forbiddenDetail(action: BoardAction): string {
  return LEAST_ROLE[action] === "owner"
    ? "Only the board's owner may do this"
    : "Your role on this board does not allow changes";
}

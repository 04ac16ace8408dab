import type { Database } from "bun:sqlite";
import type { BoardRole } from "../../platform/db/tables";

/**
 * SQL for boards and their members, on bun:sqlite's cached statements. Writes are called inside
 * the service's transaction; nothing here checks permissions.
 */

export interface StoredBoard {
  id: number;
  owner_id: number;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface StoredMember {
  user_id: number;
  username: string;
  full_name: string | null;
  role: BoardRole;
  created_at: number;
}

export function selectBoard(sqlite: Database, boardId: number): StoredBoard | null {
  return (
    sqlite.query<StoredBoard, [number]>("SELECT * FROM boards WHERE id = ?").get(boardId) ?? null
  );
}

export function insertBoard(
  sqlite: Database,
  board: { ownerId: number; name: string; description: string; now: number },
): StoredBoard {
  const stored = sqlite
    .query<StoredBoard, [number, string, string, number, number]>(
      `INSERT INTO boards (owner_id, name, description, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(board.ownerId, board.name, board.description, board.now, board.now);
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  return stored;
}

export function updateBoardFields(
  sqlite: Database,
  boardId: number,
  fields: { name: string; description: string },
): void {
  sqlite
    .query("UPDATE boards SET name = ?, description = ? WHERE id = ?")
    .run(fields.name, fields.description, boardId);
}

export function updateBoardOwner(sqlite: Database, boardId: number, ownerId: number): void {
  sqlite.query("UPDATE boards SET owner_id = ? WHERE id = ?").run(ownerId, boardId);
}

/** A new revision of what GET /boards/{id} returns: its ETag moves on. */
export function touchBoard(sqlite: Database, boardId: number, now: number): void {
  sqlite
    .query("UPDATE boards SET version = version + 1, updated_at = ? WHERE id = ?")
    .run(now, boardId);
}

/**
 * Deletes a board with everything on it. Cards are tasks, whose `board_id` is not a foreign key,
 * so they go first (their tags and comments follow by cascade); lists, members and activity
 * cascade from the board.
 */
export function deleteBoardRows(sqlite: Database, boardId: number): void {
  sqlite.query("DELETE FROM tasks WHERE board_id = ?").run(boardId);
  sqlite.query("DELETE FROM boards WHERE id = ?").run(boardId);
}

export interface BoardWithRole extends StoredBoard {
  role: BoardRole;
}

/** One page of the boards the user belongs to, newest first, with their role on each. */
export function selectBoardsOf(
  sqlite: Database,
  userId: number,
  limit: number,
  offset: number,
): { rows: BoardWithRole[]; total: number } {
  const total =
    sqlite
      .query<{ n: number }, [number]>("SELECT count(*) AS n FROM board_members WHERE user_id = ?")
      .get(userId)?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = sqlite
    .query<BoardWithRole, [number, number, number]>(
      `SELECT b.*, m.role AS role FROM board_members m JOIN boards b ON b.id = m.board_id
       WHERE m.user_id = ? ORDER BY b.created_at DESC, b.id DESC LIMIT ? OFFSET ?`,
    )
    .all(userId, limit, offset);
  return { rows, total };
}

/** Ids of every board the user belongs to: what task visibility reads on every list and search. */
export function selectMemberBoardIds(sqlite: Database, userId: number): number[] {
  return sqlite
    .query<{ board_id: number }, [number]>(
      "SELECT board_id FROM board_members WHERE user_id = ? ORDER BY board_id",
    )
    .all(userId)
    .map((row) => row.board_id);
}

/** Ids of every board the user owns. */
export function selectOwnedBoardIds(sqlite: Database, userId: number): number[] {
  return sqlite
    .query<{ id: number }, [number]>("SELECT id FROM boards WHERE owner_id = ? ORDER BY id")
    .all(userId)
    .map((row) => row.id);
}

export function selectMembers(sqlite: Database, boardId: number): StoredMember[] {
  return sqlite
    .query<StoredMember, [number]>(
      `SELECT m.user_id, u.username, u.full_name, m.role, m.created_at
       FROM board_members m JOIN users u ON u.id = m.user_id
       WHERE m.board_id = ? ORDER BY m.created_at, m.user_id`,
    )
    .all(boardId);
}

export function selectMember(
  sqlite: Database,
  boardId: number,
  userId: number,
): StoredMember | null {
  return (
    sqlite
      .query<StoredMember, [number, number]>(
        `SELECT m.user_id, u.username, u.full_name, m.role, m.created_at
         FROM board_members m JOIN users u ON u.id = m.user_id
         WHERE m.board_id = ? AND m.user_id = ?`,
      )
      .get(boardId, userId) ?? null
  );
}

export function insertMember(
  sqlite: Database,
  member: { boardId: number; userId: number; role: BoardRole; now: number },
): void {
  sqlite
    .query("INSERT INTO board_members (board_id, user_id, role, created_at) VALUES (?, ?, ?, ?)")
    .run(member.boardId, member.userId, member.role, member.now);
}

export function updateMemberRole(
  sqlite: Database,
  boardId: number,
  userId: number,
  role: BoardRole,
): void {
  sqlite
    .query("UPDATE board_members SET role = ? WHERE board_id = ? AND user_id = ?")
    .run(role, boardId, userId);
}

export function deleteMember(sqlite: Database, boardId: number, userId: number): void {
  sqlite.query("DELETE FROM board_members WHERE board_id = ? AND user_id = ?").run(boardId, userId);
}

/** Cards of the board assigned to the user; an assignee must be a member, so these are cleared. */
export function clearAssignments(
  sqlite: Database,
  boardId: number,
  userId: number,
  now: number,
): number[] {
  return sqlite
    .query<{ id: number }, [number, number, number]>(
      `UPDATE tasks SET assignee_id = NULL, updated_at = ?, version = version + 1
       WHERE board_id = ? AND assignee_id = ? RETURNING id`,
    )
    .all(now, boardId, userId)
    .map((row) => row.id);
}

/**
 * Hands the user's cards on other people's boards to each board's owner (their own boards are
 * deleted first); returns the cards with their boards.
 */
export function reassignCardsOf(
  sqlite: Database,
  userId: number,
  now: number,
): { id: number; board_id: number }[] {
  return sqlite
    .query<{ id: number; board_id: number }, [number, number]>(
      `UPDATE tasks SET owner_id = (SELECT b.owner_id FROM boards b WHERE b.id = tasks.board_id),
         updated_at = ?, version = version + 1
       WHERE owner_id = ? AND board_id IS NOT NULL RETURNING id, board_id`,
    )
    .all(now, userId);
}

export function usernameOf(sqlite: Database, userId: number): string {
  const row = sqlite
    .query<{ username: string }, [number]>("SELECT username FROM users WHERE id = ?")
    .get(userId);
  return row?.username ?? "";
}

/** The account a member is added by: a username (any case) or an email address. */
export function findUserByLogin(sqlite: Database, login: string): { id: number } | null {
  const text = login.includes("@")
    ? "SELECT id FROM users WHERE email = ?"
    : "SELECT id FROM users WHERE lower(username) = ?";
  return sqlite.query<{ id: number }, [string]>(text).get(login.toLowerCase()) ?? null;
}

export interface StoredActivity {
  id: number;
  board_id: number;
  actor_id: number | null;
  actor_username: string | null;
  action: string;
  subject_type: string;
  subject_id: number;
  data: string;
  created_at: number;
}

/** One page of a board's activity, newest first, with each actor's current username. */
export function selectActivity(
  sqlite: Database,
  boardId: number,
  limit: number,
  offset: number,
): { rows: StoredActivity[]; total: number } {
  const total =
    sqlite
      .query<{ n: number }, [number]>("SELECT count(*) AS n FROM activity WHERE board_id = ?")
      .get(boardId)?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = sqlite
    .query<StoredActivity, [number, number, number]>(
      `SELECT a.*, u.username AS actor_username FROM activity a
       LEFT JOIN users u ON u.id = a.actor_id
       WHERE a.board_id = ? ORDER BY a.id DESC LIMIT ? OFFSET ?`,
    )
    .all(boardId, limit, offset);
  return { rows, total };
}

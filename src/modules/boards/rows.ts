import type { Sql } from "../../platform/db/sql";
import type { BoardRole } from "../../platform/db/tables";

/**
 * SQL for boards and their members, on `Sql`. Writes are called inside
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

export async function selectBoard(sql: Sql, boardId: number): Promise<StoredBoard | null> {
  return (await sql.get<StoredBoard>("SELECT * FROM boards WHERE id = ?", [boardId])) ?? null;
}

export async function insertBoard(
  sql: Sql,
  board: { ownerId: number; name: string; description: string; now: number },
): Promise<StoredBoard> {
  const stored = await sql.get<StoredBoard>(
    `INSERT INTO boards (owner_id, name, description, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    [board.ownerId, board.name, board.description, board.now, board.now],
  );
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  return stored;
}

export async function updateBoardFields(
  sql: Sql,
  boardId: number,
  fields: { name: string; description: string },
): Promise<void> {
  await sql.run("UPDATE boards SET name = ?, description = ? WHERE id = ?", [
    fields.name,
    fields.description,
    boardId,
  ]);
}

export async function updateBoardOwner(sql: Sql, boardId: number, ownerId: number): Promise<void> {
  await sql.run("UPDATE boards SET owner_id = ? WHERE id = ?", [ownerId, boardId]);
}

/** A new revision of what GET /boards/{id} returns: its ETag moves on. */
export async function touchBoard(sql: Sql, boardId: number, now: number): Promise<void> {
  await sql.run("UPDATE boards SET version = version + 1, updated_at = ? WHERE id = ?", [
    now,
    boardId,
  ]);
}

/**
 * Deletes a board with everything on it. Cards are tasks, whose `board_id` is not a foreign key,
 * so they go first (their tags and comments follow by cascade); lists, members and activity
 * cascade from the board.
 */
export async function deleteBoardRows(sql: Sql, boardId: number): Promise<void> {
  await sql.run("DELETE FROM tasks WHERE board_id = ?", [boardId]);
  await sql.run("DELETE FROM boards WHERE id = ?", [boardId]);
}

export interface BoardWithRole extends StoredBoard {
  role: BoardRole;
}

/** One page of the boards the user belongs to, newest first, with their role on each. */
export async function selectBoardsOf(
  sql: Sql,
  userId: number,
  limit: number,
  offset: number,
): Promise<{ rows: BoardWithRole[]; total: number }> {
  const total =
    (
      await sql.get<{ n: number }>("SELECT count(*) AS n FROM board_members WHERE user_id = ?", [
        userId,
      ])
    )?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = await sql.all<BoardWithRole>(
    `SELECT b.*, m.role AS role FROM board_members m JOIN boards b ON b.id = m.board_id
       WHERE m.user_id = ? ORDER BY b.created_at DESC, b.id DESC LIMIT ? OFFSET ?`,
    [userId, limit, offset],
  );
  return { rows, total };
}

/** Ids of every board the user belongs to: what task visibility reads on every list and search. */
export async function selectMemberBoardIds(sql: Sql, userId: number): Promise<number[]> {
  return (
    await sql.all<{ board_id: number }>(
      "SELECT board_id FROM board_members WHERE user_id = ? ORDER BY board_id",
      [userId],
    )
  ).map((row) => row.board_id);
}

/** Ids of every board the user owns. */
export async function selectOwnedBoardIds(sql: Sql, userId: number): Promise<number[]> {
  return (
    await sql.all<{ id: number }>("SELECT id FROM boards WHERE owner_id = ? ORDER BY id", [userId])
  ).map((row) => row.id);
}

export async function selectMembers(sql: Sql, boardId: number): Promise<StoredMember[]> {
  return await sql.all<StoredMember>(
    `SELECT m.user_id, u.username, u.full_name, m.role, m.created_at
       FROM board_members m JOIN users u ON u.id = m.user_id
       WHERE m.board_id = ? ORDER BY m.created_at, m.user_id`,
    [boardId],
  );
}

export async function selectMember(
  sql: Sql,
  boardId: number,
  userId: number,
): Promise<StoredMember | null> {
  return (
    (await sql.get<StoredMember>(
      `SELECT m.user_id, u.username, u.full_name, m.role, m.created_at
         FROM board_members m JOIN users u ON u.id = m.user_id
         WHERE m.board_id = ? AND m.user_id = ?`,
      [boardId, userId],
    )) ?? null
  );
}

export async function insertMember(
  sql: Sql,
  member: { boardId: number; userId: number; role: BoardRole; now: number },
): Promise<void> {
  await sql.run(
    "INSERT INTO board_members (board_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
    [member.boardId, member.userId, member.role, member.now],
  );
}

export async function updateMemberRole(
  sql: Sql,
  boardId: number,
  userId: number,
  role: BoardRole,
): Promise<void> {
  await sql.run("UPDATE board_members SET role = ? WHERE board_id = ? AND user_id = ?", [
    role,
    boardId,
    userId,
  ]);
}

export async function deleteMember(sql: Sql, boardId: number, userId: number): Promise<void> {
  await sql.run("DELETE FROM board_members WHERE board_id = ? AND user_id = ?", [boardId, userId]);
}

/** Cards of the board assigned to the user; an assignee must be a member, so these are cleared. */
export async function clearAssignments(
  sql: Sql,
  boardId: number,
  userId: number,
  now: number,
): Promise<number[]> {
  return (
    await sql.all<{ id: number }>(
      `UPDATE tasks SET assignee_id = NULL, updated_at = ?, version = version + 1
       WHERE board_id = ? AND assignee_id = ? RETURNING id`,
      [now, boardId, userId],
    )
  ).map((row) => row.id);
}

/**
 * Hands the user's cards on other people's boards to each board's owner (their own boards are
 * deleted first); returns the cards with their boards.
 */
export async function reassignCardsOf(
  sql: Sql,
  userId: number,
  now: number,
): Promise<{ id: number; board_id: number }[]> {
  return await sql.all<{ id: number; board_id: number }>(
    `UPDATE tasks SET owner_id = (SELECT b.owner_id FROM boards b WHERE b.id = tasks.board_id),
         updated_at = ?, version = version + 1
       WHERE owner_id = ? AND board_id IS NOT NULL RETURNING id, board_id`,
    [now, userId],
  );
}

export async function usernameOf(sql: Sql, userId: number): Promise<string> {
  const row = await sql.get<{ username: string }>("SELECT username FROM users WHERE id = ?", [
    userId,
  ]);
  return row?.username ?? "";
}

/** The account a member is added by: a username (any case) or an email address. */
export async function findUserByLogin(sql: Sql, login: string): Promise<{ id: number } | null> {
  const text = login.includes("@")
    ? "SELECT id FROM users WHERE email = ?"
    : "SELECT id FROM users WHERE lower(username) = ?";
  return (await sql.get<{ id: number }>(text, [login.toLowerCase()])) ?? null;
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
export async function selectActivity(
  sql: Sql,
  boardId: number,
  limit: number,
  offset: number,
): Promise<{ rows: StoredActivity[]; total: number }> {
  const total =
    (
      await sql.get<{ n: number }>("SELECT count(*) AS n FROM activity WHERE board_id = ?", [
        boardId,
      ])
    )?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = await sql.all<StoredActivity>(
    `SELECT a.*, u.username AS actor_username FROM activity a
       LEFT JOIN users u ON u.id = a.actor_id
       WHERE a.board_id = ? ORDER BY a.id DESC LIMIT ? OFFSET ?`,
    [boardId, limit, offset],
  );
  return { rows, total };
}

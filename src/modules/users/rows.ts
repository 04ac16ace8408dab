import { likeCaseless } from "../../platform/db/dialect";
import type { Sql, SqlValue } from "../../platform/db/sql";
import type { Role, SessionRow, UserRow } from "../../platform/db/tables";

/** SQL for accounts, on `Sql`; rows come back in drizzle's `UserRow` shape. */

interface StoredUser {
  id: number;
  username: string;
  email: string;
  password_hash: string;
  full_name: string | null;
  role: Role;
  is_active: number;
  email_verified: number;
  email_notifications: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

const COLUMNS = `id, username, email, password_hash, full_name, role, is_active, email_verified,
  email_notifications, created_at, updated_at, last_login_at`;

export function toUserRow(row: StoredUser): UserRow {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    fullName: row.full_name,
    role: row.role,
    isActive: row.is_active === 1,
    emailVerified: row.email_verified === 1,
    emailNotifications: row.email_notifications === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}

export async function selectUser(sql: Sql, id: number): Promise<UserRow | null> {
  const row = await sql.get<StoredUser>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
  return row && toUserRow(row);
}

/** The account whose email, or username regardless of case, is `login`. */
export async function selectUserByLogin(sql: Sql, login: string): Promise<UserRow | null> {
  const key = login.toLowerCase();
  const row = await sql.get<StoredUser>(
    `SELECT ${COLUMNS} FROM users WHERE email = ? OR lower(username) = ?`,
    [key, key],
  );
  return row && toUserRow(row);
}

export async function selectUserByEmail(sql: Sql, email: string): Promise<UserRow | null> {
  const row = await sql.get<StoredUser>(`SELECT ${COLUMNS} FROM users WHERE email = ?`, [email]);
  return row && toUserRow(row);
}

/** A page of accounts by id, optionally those whose name, email or full name contains `text`. */
export async function selectUsersPage(
  sql: Sql,
  text: string | undefined,
  limit: number,
  offset: number,
): Promise<{ rows: UserRow[]; total: number }> {
  // Case-insensitive substring match; `%`, `_` and `\` in the text match themselves.
  const where =
    text === undefined
      ? { text: "1 = 1", params: [] as SqlValue[] }
      : {
          text: `(${["username", "email", "full_name"]
            .map((column) => `${column} ${likeCaseless(sql)} ? ESCAPE '\\'`)
            .join(" OR ")})`,
          params: Array(3).fill(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) as SqlValue[],
        };
  const total =
    (
      await sql.get<{ n: number }>(
        `SELECT count(*) AS n FROM users WHERE ${where.text}`,
        where.params,
      )
    )?.n ?? 0;
  const rows = await sql.all<StoredUser>(
    `SELECT ${COLUMNS} FROM users WHERE ${where.text} ORDER BY id LIMIT ? OFFSET ?`,
    [...where.params, limit, offset],
  );
  return { rows: rows.map(toUserRow), total };
}

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  fullName: string | null;
  emailVerified: boolean;
  role: Role;
  createdAt: number;
  updatedAt: number;
}

export async function insertUser(sql: Sql, user: NewUser): Promise<UserRow> {
  const row = await sql.get<StoredUser>(
    `INSERT INTO users (username, email, password_hash, full_name, email_verified, role,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [
      user.username,
      user.email,
      user.passwordHash,
      user.fullName,
      user.emailVerified ? 1 : 0,
      user.role,
      user.createdAt,
      user.updatedAt,
    ],
  );
  if (!row) throw new Error("INSERT … RETURNING gave no row");
  return toUserRow(row);
}

/** The column each writable UserRow field is stored in. */
const WRITABLE: Partial<Record<keyof UserRow, string>> = {
  username: "username",
  email: "email",
  passwordHash: "password_hash",
  fullName: "full_name",
  role: "role",
  isActive: "is_active",
  emailVerified: "email_verified",
  emailNotifications: "email_notifications",
  updatedAt: "updated_at",
  lastLoginAt: "last_login_at",
};

/**
 * Writes the given fields; returns the stored row, or null when there is no such account. The
 * SQL text is built from the column names above only.
 */
export async function updateUserRow(
  sql: Sql,
  id: number,
  changes: Partial<UserRow>,
): Promise<UserRow | null> {
  const sets: string[] = [];
  const values: SqlValue[] = [];
  for (const [field, value] of Object.entries(changes)) {
    const column = WRITABLE[field as keyof UserRow];
    if (column === undefined) throw new Error(`not a writable user field: ${field}`);
    sets.push(`${column} = ?`);
    values.push(typeof value === "boolean" ? (value ? 1 : 0) : (value as SqlValue));
  }
  if (sets.length === 0) return await selectUser(sql, id);
  const row = await sql.get<StoredUser>(
    `UPDATE users SET ${sets.join(", ")} WHERE id = ? RETURNING ${COLUMNS}`,
    [...values, id],
  );
  return row && toUserRow(row);
}

export async function deleteUserRow(sql: Sql, id: number): Promise<void> {
  await sql.run("DELETE FROM users WHERE id = ?", [id]);
}

/** Whether another account already has this username (in any case) or email. */
export async function isTakenByAnother(
  sql: Sql,
  userId: number,
  username?: string,
  email?: string,
): Promise<boolean> {
  const clashes: string[] = [];
  const params: SqlValue[] = [userId];
  if (username !== undefined) {
    clashes.push("lower(username) = ?");
    params.push(username.toLowerCase());
  }
  if (email !== undefined) {
    clashes.push("email = ?");
    params.push(email);
  }
  if (clashes.length === 0) return false;
  const row = await sql.get(
    `SELECT id FROM users WHERE id <> ? AND (${clashes.join(" OR ")}) LIMIT 1`,
    params,
  );
  return row !== null;
}

/** Active superadmins other than `userId`. */
export async function countOtherActiveSuperadmins(sql: Sql, userId: number): Promise<number> {
  const row = await sql.get<{ n: number }>(
    "SELECT count(*) AS n FROM users WHERE role = 'superadmin' AND is_active = 1 AND id <> ?",
    [userId],
  );
  return row?.n ?? 0;
}

/** A `sessions` row as stored. */
export interface StoredSession {
  id: number;
  user_id: number;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  user_agent: string | null;
  ip: string | null;
}

export function toSessionRow(row: StoredSession): SessionRow {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    userAgent: row.user_agent,
    ip: row.ip,
  };
}

import { textsFromJson } from "../../platform/db/dialect";
import type { Sql } from "../../platform/db/sql";
import type { NotificationType } from "../../platform/db/tables";

/**
 * SQL for notifications, on `Sql`. Every read and change of a
 * notification names its recipient too: another user's notification is simply not found.
 */

export interface StoredNotification {
  id: number;
  type: NotificationType;
  actor_id: number | null;
  actor_username: string | null;
  board_id: number | null;
  task_id: number | null;
  comment_id: number | null;
  title: string;
  body: string | null;
  read_at: number | null;
  created_at: number;
}

// A card's board is the one it is on now (cards move); notices about a board carry their own.
const SELECT_NOTIFICATION = `SELECT n.id, n.type, n.actor_id, a.username AS actor_username,
    COALESCE(t.board_id, n.board_id) AS board_id, n.task_id, n.comment_id, n.title, n.body,
    n.read_at, n.created_at
  FROM notifications n
  LEFT JOIN users a ON a.id = n.actor_id
  LEFT JOIN tasks t ON t.id = n.task_id`;

export interface NewNotification {
  userId: number;
  type: NotificationType;
  actorId: number | null;
  /** Only for notices about a board itself; a task's board is read from the task. */
  boardId?: number | null;
  taskId?: number | null;
  commentId?: number | null;
  title: string;
  body?: string | null;
}

export async function insertNotification(
  sql: Sql,
  notice: NewNotification,
  now: number,
): Promise<StoredNotification> {
  const row = await sql.get<{ id: number }>(
    `INSERT INTO notifications
         (user_id, type, actor_id, board_id, task_id, comment_id, title, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      notice.userId,
      notice.type,
      notice.actorId,
      notice.boardId ?? null,
      notice.taskId ?? null,
      notice.commentId ?? null,
      notice.title,
      notice.body ?? null,
      now,
    ],
  );
  const stored = row && (await selectNotification(sql, notice.userId, row.id));
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  return stored;
}

export async function selectNotification(
  sql: Sql,
  userId: number,
  id: number,
): Promise<StoredNotification | null> {
  return (
    (await sql.get<StoredNotification>(`${SELECT_NOTIFICATION} WHERE n.id = ? AND n.user_id = ?`, [
      id,
      userId,
    ])) ?? null
  );
}

/** `unread`: true for unread only, false for read only, undefined for all. */
export interface NotificationFilter {
  unread?: boolean;
}

function readClause(filter: NotificationFilter): string {
  if (filter.unread === undefined) return "";
  return filter.unread ? " AND n.read_at IS NULL" : " AND n.read_at IS NOT NULL";
}

/** One page of the user's notifications, newest first (ties: the later id first). */
export async function selectNotificationsOf(
  sql: Sql,
  userId: number,
  filter: NotificationFilter,
  limit: number,
  offset: number,
): Promise<{ rows: StoredNotification[]; total: number }> {
  const where = `n.user_id = ?${readClause(filter)}`;
  const total =
    (
      await sql.get<{ n: number }>(`SELECT count(*) AS n FROM notifications n WHERE ${where}`, [
        userId,
      ])
    )?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = await sql.all<StoredNotification>(
    `${SELECT_NOTIFICATION} WHERE ${where}
       ORDER BY n.created_at DESC, n.id DESC LIMIT ? OFFSET ?`,
    [userId, limit, offset],
  );
  return { rows, total };
}

/** Every notification of the user, oldest first (for the data export). */
export async function selectAllNotificationsOf(
  sql: Sql,
  userId: number,
): Promise<StoredNotification[]> {
  return await sql.all<StoredNotification>(
    `${SELECT_NOTIFICATION} WHERE n.user_id = ? ORDER BY n.id`,
    [userId],
  );
}

export async function countUnread(sql: Sql, userId: number): Promise<number> {
  return (
    (
      await sql.get<{ n: number }>(
        "SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL",
        [userId],
      )
    )?.n ?? 0
  );
}

/** Marks one notification read, keeping the first reading's time; false if it is not the user's. */
export async function markRead(
  sql: Sql,
  userId: number,
  id: number,
  now: number,
): Promise<boolean> {
  const row = await sql.get<{ id: number }>(
    `UPDATE notifications SET read_at = coalesce(read_at, ?)
       WHERE id = ? AND user_id = ? RETURNING id`,
    [now, id, userId],
  );
  return row !== null;
}

/** Marks every unread notification of the user read; returns how many. */
export async function markAllRead(sql: Sql, userId: number, now: number): Promise<number> {
  return (
    await sql.run("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", [
      now,
      userId,
    ])
  ).changes;
}

export async function deleteNotification(sql: Sql, userId: number, id: number): Promise<boolean> {
  return (
    (await sql.run("DELETE FROM notifications WHERE id = ? AND user_id = ?", [id, userId]))
      .changes > 0
  );
}

/** Who a notification is emailed to, and whether they want it. */
export interface Recipient {
  id: number;
  username: string;
  email: string;
  email_notifications: number;
  email_verified: number;
}

export async function selectRecipient(sql: Sql, userId: number): Promise<Recipient | null> {
  return (
    (await sql.get<Recipient>(
      "SELECT id, username, email, email_notifications, email_verified FROM users WHERE id = ?",
      [userId],
    )) ?? null
  );
}

/** The accounts with these usernames (compared lower-cased). */
export async function selectUserIdsByName(sql: Sql, lowerNames: string[]): Promise<number[]> {
  if (lowerNames.length === 0) return [];
  return (
    await sql.all<{ id: number }>(
      `SELECT id FROM users WHERE lower(username) IN (${textsFromJson(sql)})`,
      [JSON.stringify(lowerNames)],
    )
  ).map((row) => row.id);
}

export async function insertUnsubscribeToken(
  sql: Sql,
  tokenHash: string,
  userId: number,
  now: number,
): Promise<void> {
  await sql.run(
    "INSERT INTO unsubscribe_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)",
    [tokenHash, userId, now],
  );
}

/** The user an unsubscribe token was issued to, if it is one and still kept. */
export async function selectUnsubscribeUser(
  sql: Sql,
  tokenHash: string,
): Promise<{ id: number; username: string } | null> {
  return (
    (await sql.get<{ id: number; username: string }>(
      `SELECT u.id, u.username FROM unsubscribe_tokens k JOIN users u ON u.id = k.user_id
         WHERE k.token_hash = ?`,
      [tokenHash],
    )) ?? null
  );
}

export async function turnOffEmailNotifications(
  sql: Sql,
  userId: number,
  now: number,
): Promise<void> {
  await sql.run(
    `UPDATE users SET email_notifications = 0, updated_at = ?
       WHERE id = ? AND email_notifications = 1`,
    [now, userId],
  );
}

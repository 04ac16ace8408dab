import type { Database } from "bun:sqlite";
import type { NotificationType } from "../../platform/db/tables";

/**
 * SQL for notifications, on bun:sqlite's cached statements. Every read and change of a
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

export function insertNotification(
  sqlite: Database,
  notice: NewNotification,
  now: number,
): StoredNotification {
  const row = sqlite
    .query<{ id: number }, (string | number | null)[]>(
      `INSERT INTO notifications
         (user_id, type, actor_id, board_id, task_id, comment_id, title, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      notice.userId,
      notice.type,
      notice.actorId,
      notice.boardId ?? null,
      notice.taskId ?? null,
      notice.commentId ?? null,
      notice.title,
      notice.body ?? null,
      now,
    );
  const stored = row && selectNotification(sqlite, notice.userId, row.id);
  if (!stored) throw new Error("INSERT … RETURNING gave no row");
  return stored;
}

export function selectNotification(
  sqlite: Database,
  userId: number,
  id: number,
): StoredNotification | null {
  return (
    sqlite
      .query<StoredNotification, [number, number]>(
        `${SELECT_NOTIFICATION} WHERE n.id = ? AND n.user_id = ?`,
      )
      .get(id, userId) ?? null
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
export function selectNotificationsOf(
  sqlite: Database,
  userId: number,
  filter: NotificationFilter,
  limit: number,
  offset: number,
): { rows: StoredNotification[]; total: number } {
  const where = `n.user_id = ?${readClause(filter)}`;
  const total =
    sqlite
      .query<{ n: number }, [number]>(`SELECT count(*) AS n FROM notifications n WHERE ${where}`)
      .get(userId)?.n ?? 0;
  if (total <= offset) return { rows: [], total };
  const rows = sqlite
    .query<StoredNotification, [number, number, number]>(
      `${SELECT_NOTIFICATION} WHERE ${where}
       ORDER BY n.created_at DESC, n.id DESC LIMIT ? OFFSET ?`,
    )
    .all(userId, limit, offset);
  return { rows, total };
}

/** Every notification of the user, oldest first (for the data export). */
export function selectAllNotificationsOf(sqlite: Database, userId: number): StoredNotification[] {
  return sqlite
    .query<StoredNotification, [number]>(`${SELECT_NOTIFICATION} WHERE n.user_id = ? ORDER BY n.id`)
    .all(userId);
}

export function countUnread(sqlite: Database, userId: number): number {
  return (
    sqlite
      .query<{ n: number }, [number]>(
        "SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL",
      )
      .get(userId)?.n ?? 0
  );
}

/** Marks one notification read, keeping the first reading's time; false if it is not the user's. */
export function markRead(sqlite: Database, userId: number, id: number, now: number): boolean {
  const row = sqlite
    .query<{ id: number }, [number, number, number]>(
      `UPDATE notifications SET read_at = coalesce(read_at, ?)
       WHERE id = ? AND user_id = ? RETURNING id`,
    )
    .get(now, id, userId);
  return row !== null;
}

/** Marks every unread notification of the user read; returns how many. */
export function markAllRead(sqlite: Database, userId: number, now: number): number {
  return sqlite
    .query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL")
    .run(now, userId).changes;
}

export function deleteNotification(sqlite: Database, userId: number, id: number): boolean {
  return (
    sqlite.query("DELETE FROM notifications WHERE id = ? AND user_id = ?").run(id, userId).changes >
    0
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

export function selectRecipient(sqlite: Database, userId: number): Recipient | null {
  return (
    sqlite
      .query<Recipient, [number]>(
        "SELECT id, username, email, email_notifications, email_verified FROM users WHERE id = ?",
      )
      .get(userId) ?? null
  );
}

/** The accounts with these usernames (compared lower-cased). */
export function selectUserIdsByName(sqlite: Database, lowerNames: string[]): number[] {
  if (lowerNames.length === 0) return [];
  return sqlite
    .query<{ id: number }, [string]>(
      "SELECT id FROM users WHERE lower(username) IN (SELECT value FROM json_each(?))",
    )
    .all(JSON.stringify(lowerNames))
    .map((row) => row.id);
}

export function insertUnsubscribeToken(
  sqlite: Database,
  tokenHash: string,
  userId: number,
  now: number,
): void {
  sqlite
    .query("INSERT INTO unsubscribe_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)")
    .run(tokenHash, userId, now);
}

/** The user an unsubscribe token was issued to, if it is one and still kept. */
export function selectUnsubscribeUser(
  sqlite: Database,
  tokenHash: string,
): { id: number; username: string } | null {
  return (
    sqlite
      .query<{ id: number; username: string }, [string]>(
        `SELECT u.id, u.username FROM unsubscribe_tokens k JOIN users u ON u.id = k.user_id
         WHERE k.token_hash = ?`,
      )
      .get(tokenHash) ?? null
  );
}

export function turnOffEmailNotifications(sqlite: Database, userId: number, now: number): void {
  sqlite
    .query(
      `UPDATE users SET email_notifications = 0, updated_at = ?
       WHERE id = ? AND email_notifications = 1`,
    )
    .run(now, userId);
}

import { expect } from "bun:test";
import type { TestContext } from "./app";
import type { TestUser } from "./factories";
import { codeIn, deliverMail } from "./mailer";

/** Notification test helpers, through the HTTP API (and the events table, for the feed). */

export interface NotificationJson {
  id: number;
  type: string;
  title: string;
  body: string | null;
  board_id: number | null;
  task_id: number | null;
  comment_id: number | null;
  actor: { id: number; username: string } | null;
  read_at: string | null;
  created_at: string;
}

export async function inbox(ctx: TestContext, user: TestUser, query = "") {
  const response = await ctx.request(`/api/v1/notifications${query}`, { token: user.accessToken });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`inbox: ${response.status} ${text}`);
  return {
    items: JSON.parse(text) as NotificationJson[],
    unread: Number(response.headers.get("x-unread-count")),
    total: Number(response.headers.get("x-total-count")),
    link: response.headers.get("link") ?? "",
  };
}

/** The types of the user's notifications, newest first. */
export async function typesOf(ctx: TestContext, user: TestUser): Promise<string[]> {
  return (await inbox(ctx, user)).items.map((n) => n.type);
}

/** The `notification.created` events recorded for a user, oldest first. */
export async function notificationEvents(ctx: TestContext, userId: number) {
  const rows = await ctx.deps.sql.all<{ board_id: number | null; user_id: number; data: string }>(
    `SELECT board_id, user_id, data FROM events
     WHERE type = 'notification.created' AND user_id = ? ORDER BY seq`,
    [userId],
  );
  return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as NotificationJson }));
}

/** Verifies the user's address with the code emailed at sign-up, then forgets the user's mail. */
export async function verifyEmail(ctx: TestContext, user: TestUser): Promise<void> {
  await deliverMail(ctx);
  const message = ctx.mailer.lastTo(user.email);
  if (!message) throw new Error(`no email to ${user.email}`);
  const response = await ctx.request("/api/v1/auth/verify-email", {
    body: { email: user.email, otp: codeIn(message.text) },
  });
  expect(response.status).toBe(200);
  const kept = ctx.mailer.sent.filter((sent) => sent.to !== user.email);
  ctx.mailer.sent.splice(0, ctx.mailer.sent.length, ...kept);
}

export async function comment(ctx: TestContext, user: TestUser, taskId: number, body: string) {
  const response = await ctx.request(`/api/v1/tasks/${taskId}/comments`, {
    token: user.accessToken,
    body: { body },
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`comment: ${response.status} ${text}`);
  return JSON.parse(text) as { id: number };
}

export async function patchTask(
  ctx: TestContext,
  user: TestUser,
  taskId: number,
  body: Record<string, unknown>,
) {
  const response = await ctx.request(`/api/v1/tasks/${taskId}`, {
    method: "PATCH",
    token: user.accessToken,
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`patch task: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

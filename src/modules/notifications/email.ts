import type { MailMessage } from "../../platform/mailer";
import { escapeHtml } from "../auth/emails";
import type { NotificationView } from "./present";

export const UNSUBSCRIBE_PATH = "/api/v1/notifications/unsubscribe";

/** Where the web app shows what a notification is about. */
export function itemUrl(appUrl: string, notification: NotificationView): string {
  const { board_id: boardId, task_id: taskId } = notification;
  if (taskId !== null) {
    return boardId === null
      ? `${appUrl}/tasks?task=${taskId}`
      : `${appUrl}/boards/${boardId}?card=${taskId}`;
  }
  if (boardId !== null) return `${appUrl}/boards/${boardId}`;
  return `${appUrl}/`;
}

export function unsubscribeUrl(appUrl: string, token: string): string {
  return `${appUrl}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
}

/**
 * One notification as an email: what happened, a link to it, and a one-click way out, both in
 * the text (a page that asks before it turns anything off, since mail scanners follow links)
 * and in the RFC 8058 headers that mail clients offer as an "Unsubscribe" button.
 */
export function notificationEmail(
  appUrl: string,
  recipient: { email: string; username: string },
  notification: NotificationView,
  unsubscribeToken: string,
): MailMessage {
  const link = itemUrl(appUrl, notification);
  const unsubscribe = unsubscribeUrl(appUrl, unsubscribeToken);
  const greeting = `Hello ${recipient.username},`;
  const paragraphs = [notification.title, ...(notification.body ? [notification.body] : [])];
  const footer =
    "You get this email because email notifications are on for your Kanbun account. Turn them off:";
  const text = [
    greeting,
    ...paragraphs,
    `Open it: ${link}`,
    `— Kanbun, ${appUrl}`,
    `${footer} ${unsubscribe}`,
  ]
    .join("\n\n")
    .concat("\n");
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link)}">Open it in Kanbun</a></p>`,
    `<p style="color:#666;font-size:12px">${escapeHtml(footer)} <a href="${escapeHtml(unsubscribe)}">unsubscribe</a></p>`,
  ].join("\n");
  return {
    to: recipient.email,
    subject: notification.title,
    text,
    html,
    headers: {
      "List-Unsubscribe": `<${unsubscribe}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

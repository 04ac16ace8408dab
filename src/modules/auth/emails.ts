import type { MailMessage } from "../../platform/mailer";

/** Plain-text and simple HTML bodies of the account emails. */

interface Recipient {
  email: string;
  username: string;
}

const PRODUCT = "Kanbun";

export function passwordResetEmail(appUrl: string, user: Recipient, code: string): MailMessage {
  return compose(appUrl, user, `Your ${PRODUCT} password reset code`, [
    `Someone (hopefully you) asked to reset the password of your ${PRODUCT} account.`,
    { code },
    "The code is valid for 10 minutes. If you did not ask for it, ignore this email: your password stays as it is.",
  ]);
}

export function verificationEmail(appUrl: string, user: Recipient, code: string): MailMessage {
  return compose(appUrl, user, `Verify your email address for ${PRODUCT}`, [
    `Use this code to confirm that ${user.email} is your address:`,
    { code },
    "The code is valid for 10 minutes. If you did not sign up or change your address, ignore this email.",
  ]);
}

export function passwordChangedEmail(appUrl: string, user: Recipient): MailMessage {
  return compose(appUrl, user, `Your ${PRODUCT} password was changed`, [
    `The password of your ${PRODUCT} account was just changed, and your other sessions were signed out.`,
    `If this was not you, reset your password at once from ${appUrl} and check your account.`,
  ]);
}

/** Sent to the old address: an access token alone must not move an account away unnoticed. */
export function emailChangedEmail(
  appUrl: string,
  oldAddress: Recipient,
  newEmail: string,
): MailMessage {
  return compose(appUrl, oldAddress, `Your ${PRODUCT} email address was changed`, [
    `The email address of your ${PRODUCT} account was just changed from ${oldAddress.email} to ${newEmail}. Password reset codes now go to the new address.`,
    `If this was not you, someone may be signed in to your account: contact the administrator of ${appUrl} at once.`,
  ]);
}

type Paragraph = string | { code: string };

function compose(
  appUrl: string,
  user: Recipient,
  subject: string,
  paragraphs: Paragraph[],
): MailMessage {
  const greeting = `Hello ${user.username},`;
  const signature = `— ${PRODUCT}, ${appUrl}`;
  const text = [greeting, ...paragraphs.map((p) => (typeof p === "string" ? p : p.code)), signature]
    .join("\n\n")
    .concat("\n");
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) =>
      typeof p === "string"
        ? `<p>${escapeHtml(p)}</p>`
        : `<p style="font-size:24px;font-weight:bold;letter-spacing:4px">${escapeHtml(p.code)}</p>`,
    ),
    `<p>— ${PRODUCT}, <a href="${escapeHtml(appUrl)}">${escapeHtml(appUrl)}</a></p>`,
  ].join("\n");
  return { to: user.email, subject, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}

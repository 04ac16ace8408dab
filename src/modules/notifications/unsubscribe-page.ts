import { escapeHtml } from "../auth/emails";

/**
 * The confirmation page of an unsubscribe link. Following the link changes nothing: mail
 * scanners open links. The button posts the RFC 8058 form to the same address, which needs no
 * script, so the strict content security policy of the API applies unchanged.
 */
export function unsubscribePage(action: string, username: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Kanbun: email notifications</title></head>
<body>
<h1>Turn off email notifications?</h1>
<p>Kanbun will stop emailing notifications to ${escapeHtml(username)}. They stay in the app, and you can turn emails back on in your account settings.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Turn off email notifications</button>
</form>
</body>
</html>
`;
}

/**
 * `@username` mentions in a comment. A mention starts where a word does, so the `@` of an email
 * address is not one. Usernames may end in `.` or `-`, which also ends a sentence: both readings
 * are looked up. At most MAX_MENTIONS names per comment are looked up at all.
 */
const MENTION = /(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{3,32})/g;
const MAX_MENTIONS = 20;

/** The distinct names a text mentions, lower-cased (usernames are unique in any case). */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const name = (match[1] ?? "").toLowerCase();
    names.add(name);
    const trimmed = name.replace(/[.-]+$/, "");
    if (trimmed.length >= 3) names.add(trimmed);
    if (names.size >= MAX_MENTIONS) break;
  }
  return [...names];
}

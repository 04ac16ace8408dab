/** `@username` mentions in comment text, by the sign-up rule for usernames. */
const MENTION = /(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]{3,32})/g;

export type Segment = { text: string } | { mention: string };

/** The text cut into plain runs and mentions; rendered as text, never as HTML. */
export function splitMentions(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const start = (match.index ?? 0) + (match[1]?.length ?? 0);
    if (start > last) segments.push({ text: text.slice(last, start) });
    segments.push({ mention: match[2] ?? "" });
    last = start + 1 + (match[2]?.length ?? 0);
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

/** The partial name after an `@` that ends at the caret, if the caret is in one. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]{0,32})$/.exec(before);
  if (!match) return null;
  const query = match[2] ?? "";
  return { start: caret - query.length - 1, query };
}

export function suggestMentions(names: readonly string[], query: string, limit = 5): string[] {
  const lower = query.toLowerCase();
  return names.filter((name) => name.toLowerCase().startsWith(lower)).slice(0, limit);
}

export function insertMention(text: string, start: number, caret: number, name: string) {
  const inserted = `@${name} `;
  return {
    text: text.slice(0, start) + inserted + text.slice(caret),
    caret: start + inserted.length,
  };
}

/**
 * Turns the shared SQL text's `?` placeholders into PostgreSQL's numbered `$1, $2, …`.
 *
 * A `?` counts only where it is SQL: inside a string literal ('…', E'…' with backslash
 * escapes, $tag$…$tag$), a quoted identifier ("…") or a comment it is text and stays as it is.
 * PostgreSQL's own `?` operators (jsonb `?`, `?|`, `?&`) therefore cannot be written in shared
 * SQL; such a query belongs in a dialect module, which can use a function (jsonb_exists) instead.
 */

/** Texts seen so far; the services' SQL is a fixed set of strings, so this stays small. */
const cache = new Map<string, string>();
/** A bound all the same, in case some caller builds its text from data. */
const CACHE_LIMIT = 2000;

/** The text with its placeholders numbered, from the cache when the text was seen before. */
export function numberPlaceholders(text: string): string {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const numbered = translate(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, numbered);
  return numbered;
}

function translate(text: string): string {
  let out = "";
  let count = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    const end = skipQuoted(text, i);
    if (end > i) {
      out += text.slice(i, end);
      i = end;
    } else if (char === "?") {
      count++;
      out += `$${count}`;
      i++;
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

/** Where the literal, identifier or comment starting at `i` ends, or `i` if none starts there. */
function skipQuoted(text: string, i: number): number {
  const char = text[i];
  const next = text[i + 1];
  if (char === "'") {
    const escapes = i > 0 && /[eE]/.test(text[i - 1] ?? "") && !isWordChar(text[i - 2]);
    return skipString(text, i, escapes);
  }
  if (char === '"') return skipDelimited(text, i + 1, '"');
  if (char === "-" && next === "-") return skipTo(text, i + 2, "\n");
  if (char === "/" && next === "*") return skipTo(text, i + 2, "*/");
  if (char === "$") return skipDollarQuoted(text, i);
  return i;
}

/** '…' with '' as a quote; in E'…', a backslash escapes the next character too. */
function skipString(text: string, start: number, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (backslashEscapes && char === "\\") {
      i += 2;
    } else if (char === "'") {
      if (text[i + 1] !== "'") return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return text.length;
}

/** "…" with "" as a quote. */
function skipDelimited(text: string, from: number, quote: string): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return text.length;
}

function skipTo(text: string, from: number, terminator: string): number {
  const found = text.indexOf(terminator, from);
  return found === -1 ? text.length : found + terminator.length;
}

/** $$…$$ or $tag$…$tag$; a `$` that opens no such quote (such as `$1`) is left alone. */
function skipDollarQuoted(text: string, i: number): number {
  if (isWordChar(text[i - 1])) return i;
  const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))?.[0];
  if (tag === undefined) return i;
  return skipTo(text, i + tag.length, tag);
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_$]/.test(char);
}

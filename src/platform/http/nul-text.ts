import { ValidationFailed } from "../errors";

/**
 * Text with the NUL character (U+0000) is refused on every route, in bodies and query
 * parameters: PostgreSQL's text cannot hold it (SQLite can), so accepting it would make the
 * same request succeed on one database and fail on the other. It has no use in a title, a
 * name or a search either.
 */
const MESSAGE = "Must not contain the NUL character (U+0000)";

/** Throws ValidationFailed naming every string of the body (JSON pointer) that holds a NUL. */
export function rejectNulInBody(body: unknown): void {
  // Every body with a route passes here: look first, and name paths only for one that has a NUL.
  if (!holdsNul(body)) return;
  const paths: string[] = [];
  collect(body, "", paths);
  if (paths.length > 0) refuse(paths);
}

/** Throws ValidationFailed naming every query parameter whose name or value holds a NUL. */
export function rejectNulInQuery(search: string): void {
  if (!search.includes("%00") && !search.includes("\0")) return;
  const paths = [...new URLSearchParams(search)]
    .filter(([name, value]) => name.includes("\0") || value.includes("\0"))
    .map(([name]) => `/${pointerToken(name)}`);
  if (paths.length > 0) refuse([...new Set(paths)]);
}

function holdsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  for (const key in value) {
    if (key.includes("\0") || holdsNul((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function collect(value: unknown, path: string, paths: string[]): void {
  if (typeof value === "string") {
    if (value.includes("\0")) paths.push(path || "/");
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) collect(item, `${path}/${index}`, paths);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("\0")) paths.push(`${path}/${pointerToken(key)}`);
      collect(item, `${path}/${pointerToken(key)}`, paths);
    }
  }
}

/** A JSON pointer token (RFC 6901); the NUL itself is shown escaped so the answer is readable. */
function pointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1").replaceAll("\0", "\\u0000");
}

function refuse(paths: string[]): never {
  throw new ValidationFailed(
    "Text may not contain the NUL character",
    paths.map((path) => ({ path, message: MESSAGE })),
  );
}

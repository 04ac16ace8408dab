/**
 * A PostgreSQL connection URL as an operator types it, and how to speak of it without giving
 * its password away: messages, logs and terminal scrollback name the server, never the secret.
 */

export class PostgresUrlError extends Error {
  override name = "PostgresUrlError";
}

const PROTOCOLS = new Set(["postgres:", "postgresql:"]);

/** The URL, checked: postgres:// or postgresql:// with a host. The error never echoes it. */
export function parsePostgresUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PostgresUrlError(
      "not a URL; give one such as postgres://kanbun:PASSWORD@db.example.com:5432/kanbun",
    );
  }
  if (!PROTOCOLS.has(url.protocol)) {
    const scheme = url.protocol.replace(/:$/, "");
    throw new PostgresUrlError(`${scheme}:// is not PostgreSQL; the URL must start postgres://`);
  }
  if (!url.hostname) {
    throw new PostgresUrlError("the URL names no server; give postgres://USER@HOST:PORT/DATABASE");
  }
  return url;
}

/** `host:port/database`: enough to tell servers apart, with no user or password. */
export function describePostgresUrl(url: URL): string {
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "(default database)";
  return `${url.hostname}:${url.port || "5432"}/${database}`;
}

/** The URL with its password (if any) replaced by `***`. */
export function redactPostgresUrl(url: URL): string {
  if (!url.password) return url.toString();
  const copy = new URL(url.toString());
  copy.password = "***";
  return copy.toString();
}

/**
 * `text` with every occurrence of the URL's password, as typed and decoded, replaced by `***`:
 * for messages that come from a driver, whose wording this code does not control.
 */
export function withoutPassword(text: string, url: URL): string {
  const forms = new Set([url.password, safeDecode(url.password)].filter((form) => form !== ""));
  let result = text;
  for (const form of forms) result = result.replaceAll(form, "***");
  return result;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The database a connection to `url` must open, passed to Bun's driver explicitly: left to
 * itself, the driver lets a PGDATABASE variable in the environment override the URL's database.
 * A URL without one means the database named like its user, as libpq has it.
 */
export function databaseOf(url: string): string {
  const parsed = new URL(url);
  const named = safeDecode(parsed.pathname.replace(/^\//, ""));
  return named || safeDecode(parsed.username) || "postgres";
}

/**
 * Whether a write failed on a UNIQUE constraint (e.g. a name taken by a concurrent insert):
 * SQLite says so in its message (drizzle wraps driver errors: it may be on the cause);
 * PostgreSQL gives SQLSTATE 23505 (unique_violation).
 */
export function isUniqueViolation(error: unknown): boolean {
  return [error, (error as { cause?: unknown } | null)?.cause].some(
    (e) =>
      e instanceof Error &&
      (e.message.includes("UNIQUE constraint failed") ||
        (e as { errno?: unknown }).errno === "23505"),
  );
}

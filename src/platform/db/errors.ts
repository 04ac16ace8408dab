/** Whether a write failed on a UNIQUE constraint (e.g. a name taken by a concurrent insert). */
export function isUniqueViolation(error: unknown): boolean {
  // drizzle wraps driver errors; the SQLite message is on the cause.
  return [error, (error as { cause?: unknown } | null)?.cause].some(
    (e) => e instanceof Error && e.message.includes("UNIQUE constraint failed"),
  );
}

/**
 * The advisory lock keys Kanbun takes on PostgreSQL. Every instance on one database uses the
 * same keys, which is what makes them one lock across instances. Fixed numbers (not hashes of
 * names) so that an operator can find them in pg_locks: objid holds the key.
 */

/** Taken by every outermost transaction (transaction scope): writers run one at a time. */
export const WRITE_LOCK_KEY = 0x4b62_0001;

/** Held by the migrator for its whole run (session scope): one instance migrates, the rest wait. */
export const MIGRATION_LOCK_KEY = 0x4b62_0002;

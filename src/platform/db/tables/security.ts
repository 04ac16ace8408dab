import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export const CODE_PURPOSES = ["password_reset", "email_verification"] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** Emailed one-time codes, stored hashed; one live code per user and purpose. */
export const oneTimeCodes = sqliteTable(
  "one_time_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: CODE_PURPOSES }).notNull(),
    codeHash: text("code_hash").notNull(),
    /** The address the code was sent to (email verification confirms this address). */
    email: text("email").notNull(),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [uniqueIndex("one_time_codes_user_purpose_unique").on(table.userId, table.purpose)],
);

/** Short-lived, single-use tokens that a verified reset code is exchanged for. */
export const passwordResetTokens = sqliteTable(
  "password_reset_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (table) => [index("password_reset_tokens_user_idx").on(table.userId)],
);

/** Failed authentication attempts by client address, counted towards a ban. */
export const authFailures = sqliteTable(
  "auth_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ip: text("ip").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("auth_failures_ip_created_idx").on(table.ip, table.createdAt)],
);

/** Temporary bans of client addresses; stored so they survive a restart. */
export const bans = sqliteTable(
  "bans",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ip: text("ip").notNull().unique(),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [index("bans_expires_idx").on(table.expiresAt)],
);

/** Responses remembered per user and Idempotency-Key, so a retried POST replays instead of repeating. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    /** SHA-256 of the request body, to tell a true retry from a reused key. */
    requestHash: text("request_hash").notNull(),
    /** Null while the first request is still running. */
    responseStatus: integer("response_status"),
    /** JSON object of the headers to replay. */
    responseHeaders: text("response_headers"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [
    uniqueIndex("idempotency_keys_user_key_unique").on(table.userId, table.key),
    index("idempotency_keys_expires_idx").on(table.expiresAt),
  ],
);

/**
 * Counters that several instances must agree on (rate limits, failure budgets), when the
 * database holds them: see platform/shared/sql-counters.ts. A window's end is `reset_at`, in
 * milliseconds; ended rows are swept by the scheduler.
 */
export const sharedCounters = sqliteTable(
  "shared_counters",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    resetAt: integer("reset_at").notNull(),
  },
  (table) => [index("shared_counters_reset_at").on(table.resetAt)],
);

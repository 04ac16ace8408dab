import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { CODE_PURPOSES } from "../tables/security";
import { users } from "./users";

/** Mirrors tables/security.ts. */
export const oneTimeCodes = pgTable(
  "one_time_codes",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: CODE_PURPOSES }).notNull(),
    codeHash: text("code_hash").notNull(),
    email: text("email").notNull(),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
  },
  (table) => [uniqueIndex("one_time_codes_user_purpose_unique").on(table.userId, table.purpose)],
);

export const passwordResetTokens = pgTable(
  "password_reset_tokens",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
    usedAt: bigint("used_at", { mode: "number" }),
  },
  (table) => [index("password_reset_tokens_user_idx").on(table.userId)],
);

export const authFailures = pgTable(
  "auth_failures",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    ip: text("ip").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (table) => [index("auth_failures_ip_created_idx").on(table.ip, table.createdAt)],
);

export const bans = pgTable(
  "bans",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    ip: text("ip").notNull().unique(),
    reason: text("reason").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
  },
  (table) => [index("bans_expires_idx").on(table.expiresAt)],
);

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status"),
    responseHeaders: text("response_headers"),
    responseBody: text("response_body"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
  },
  (table) => [
    uniqueIndex("idempotency_keys_user_key_unique").on(table.userId, table.key),
    index("idempotency_keys_expires_idx").on(table.expiresAt),
  ],
);

export const sharedCounters = pgTable(
  "shared_counters",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    resetAt: bigint("reset_at", { mode: "number" }).notNull(),
  },
  (table) => [index("shared_counters_reset_at").on(table.resetAt)],
);

import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { ROLES } from "../tables/users";

/** Mirrors tables/users.ts; flags stay 0/1 integers and times millisecond bigints (sql.ts). */
export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    username: text("username").notNull(),
    /** Stored lower-cased: addresses are compared case-insensitively. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    fullName: text("full_name"),
    role: text("role", { enum: ROLES }).notNull().default("user"),
    isActive: integer("is_active").notNull().default(1),
    emailVerified: integer("email_verified").notNull().default(0),
    emailNotifications: integer("email_notifications").notNull().default(1),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
    lastLoginAt: bigint("last_login_at", { mode: "number" }),
  },
  (table) => [
    // Usernames keep the case they were chosen with but are unique regardless of it.
    uniqueIndex("users_username_lower_unique").on(sql`lower(${table.username})`),
    uniqueIndex("users_email_unique").on(table.email),
    index("users_role_idx").on(table.role),
  ],
);

import { toIso } from "../../platform/clock";
import type { SessionRow, UserRow } from "../../platform/db/tables";

/** A user as they see themselves (and as sign-up returns them). */
export function presentUser(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    email_verified: user.emailVerified,
    email_notifications: user.emailNotifications,
    created_at: toIso(user.createdAt),
    last_login_at: toIso(user.lastLoginAt),
  };
}

/** A user as administrators see them: adds account state. */
export function presentAdminUser(user: UserRow) {
  return { ...presentUser(user), is_active: user.isActive, updated_at: toIso(user.updatedAt) };
}

/** A session in a data export: when and from where, never its tokens. */
export function presentExportedSession(session: SessionRow) {
  return {
    id: session.id,
    created_at: toIso(session.createdAt),
    last_used_at: toIso(session.lastUsedAt),
    expires_at: toIso(session.expiresAt),
    revoked_at: toIso(session.revokedAt),
    user_agent: session.userAgent,
    ip: session.ip,
  };
}

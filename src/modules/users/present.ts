import { toIso } from "../../platform/clock";
import type { UserRow } from "../../platform/db/tables";

export function presentUser(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    email_verified: user.emailVerified,
    created_at: toIso(user.createdAt),
    last_login_at: toIso(user.lastLoginAt),
  };
}

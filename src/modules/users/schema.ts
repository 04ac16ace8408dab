import { t } from "elysia";
import { IsoTimestamp, NullableIsoTimestamp } from "../../platform/http/schemas";

export const UserResponse = t.Object({
  id: t.Integer(),
  username: t.String(),
  email: t.String(),
  full_name: t.Union([t.String(), t.Null()]),
  role: t.Union([t.Literal("user"), t.Literal("admin"), t.Literal("superadmin")]),
  email_verified: t.Boolean(),
  created_at: IsoTimestamp,
  last_login_at: NullableIsoTimestamp,
});

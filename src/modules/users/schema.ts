import { t } from "elysia";
import { IsoTimestamp, NullableIsoTimestamp, Strict } from "../../platform/http/schemas";
import { Email, FullName, NewPassword, Username } from "../auth/schema";
import { TaskResponse } from "../tasks/schema";

export const RoleSchema = t.Union([t.Literal("user"), t.Literal("admin"), t.Literal("superadmin")]);

export const UserResponse = t.Object({
  id: t.Integer(),
  username: t.String(),
  email: t.String(),
  full_name: t.Union([t.String(), t.Null()]),
  role: RoleSchema,
  email_verified: t.Boolean(),
  email_notifications: t.Boolean({ description: "Whether notifications are also emailed" }),
  created_at: IsoTimestamp,
  last_login_at: NullableIsoTimestamp,
});

// The current password is only compared, never stored: a generous bound is enough.
const CurrentPassword = t.String({ maxLength: 1024, error: "Must be at most 1024 characters" });

export const UpdateMeBody = t.Object(
  {
    full_name: t.Optional(t.Union([FullName, t.Null()])),
    username: t.Optional(Username),
    email: t.Optional(Email),
    email_notifications: t.Optional(t.Boolean({ error: "Must be true or false" })),
    current_password: t.Optional(
      t.String({
        maxLength: 1024,
        error: "Must be at most 1024 characters",
        description: "Required with `email`, since password reset codes go to that address",
      }),
    ),
  },
  {
    ...Strict,
    description:
      "Fields left out are unchanged. Changing `email` needs `current_password`; a new address must be verified again (a code is emailed) and the old address is told of the change.",
  },
);

export const ChangePasswordBody = t.Object(
  { current_password: CurrentPassword, new_password: NewPassword },
  Strict,
);

export const DeleteMeBody = t.Object({ password: CurrentPassword }, Strict);

const ExportedSession = t.Object({
  id: t.Integer(),
  created_at: IsoTimestamp,
  last_used_at: IsoTimestamp,
  expires_at: IsoTimestamp,
  revoked_at: NullableIsoTimestamp,
  user_agent: t.Union([t.String(), t.Null()]),
  ip: t.Union([t.String(), t.Null()]),
});

export const ExportResponse = t.Object(
  {
    exported_at: IsoTimestamp,
    profile: t.Object({ ...UserResponse.properties, updated_at: IsoTimestamp }),
    tasks: t.Array(TaskResponse),
    sessions: t.Array(ExportedSession),
  },
  { description: "Everything stored about the caller; no password or token hashes" },
);

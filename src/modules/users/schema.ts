import { t } from "elysia";
import {
  component,
  IsoTimestamp,
  NullableIsoTimestamp,
  Strict,
  Text,
} from "../../platform/http/schemas";
import { Email, FullName, NewPassword, Username } from "../auth/schema";
import { ExportedBoard, ExportedMembership } from "../boards/schema";
import { CommentResponse } from "../comments/schema";
import { NotificationResponse } from "../notifications/schema";
import { TaskResponse } from "../tasks/schema";

export const RoleSchema = t.Union([t.Literal("user"), t.Literal("admin"), t.Literal("superadmin")]);

export const UserResponse = component(
  "User",
  t.Object({
    id: t.Integer(),
    username: t.String(),
    email: t.String(),
    full_name: t.Union([t.String(), t.Null()]),
    role: RoleSchema,
    email_verified: t.Boolean(),
    email_notifications: t.Boolean({ description: "Whether notifications are also emailed" }),
    created_at: IsoTimestamp,
    last_login_at: NullableIsoTimestamp,
  }),
);

// The current password is only compared, never stored: a generous bound is enough.
const CurrentPassword = Text({ maxLength: 1024 });

// TypeBox does not check `dependentRequired`: the service refuses an email change without the
// current password. The keyword is there for the document.
export const UpdateMeBody = component(
  "UpdateMeBody",
  t.Object(
    {
      full_name: t.Optional(t.Union([FullName, t.Null()])),
      username: t.Optional(Username),
      email: t.Optional(Email),
      email_notifications: t.Optional(t.Boolean({ error: "Must be true or false" })),
      current_password: t.Optional(
        Text({
          maxLength: 1024,
          description: "Required with `email`, since password reset codes go to that address",
        }),
      ),
    },
    {
      ...Strict,
      dependentRequired: { email: ["current_password"] },
      description:
        "Fields left out are unchanged. Changing `email` needs `current_password`; a new address must be verified again (a code is emailed) and the old address is told of the change.",
    },
  ),
);

export const ChangePasswordBody = component(
  "ChangePasswordBody",
  t.Object({ current_password: CurrentPassword, new_password: NewPassword }, Strict),
);

export const DeleteMeBody = component(
  "DeleteMeBody",
  t.Object({ password: CurrentPassword }, Strict),
);

const ExportedSession = t.Object({
  id: t.Integer(),
  created_at: IsoTimestamp,
  last_used_at: IsoTimestamp,
  expires_at: IsoTimestamp,
  revoked_at: NullableIsoTimestamp,
  user_agent: t.Union([t.String(), t.Null()]),
  ip: t.Union([t.String(), t.Null()]),
});

export const ExportResponse = component(
  "Export",
  t.Object(
    {
      exported_at: IsoTimestamp,
      profile: t.Object({ ...UserResponse.properties, updated_at: IsoTimestamp }),
      tasks: t.Array(TaskResponse, { description: "Personal tasks" }),
      boards: t.Array(ExportedBoard, {
        description: "The boards you own, with everything on them",
      }),
      memberships: t.Array(ExportedMembership, { description: "Every board you belong to" }),
      comments: t.Array(CommentResponse, { description: "Every comment you wrote" }),
      sessions: t.Array(ExportedSession),
      notifications: t.Array(NotificationResponse, { description: "Oldest first" }),
    },
    { description: "Everything stored about the caller; no password or token hashes" },
  ),
);

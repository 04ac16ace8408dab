import { t } from "elysia";
import { PageQueryFields } from "../../platform/http/pagination";
import { component, IsoTimestamp, Strict, Text } from "../../platform/http/schemas";
import { Email, FullName, NewPassword, Username } from "../auth/schema";
import { RoleSchema, UserResponse } from "../users/schema";

export const AdminUserResponse = component(
  "AdminUser",
  t.Object({
    ...UserResponse.properties,
    is_active: t.Boolean({ description: "A deactivated user cannot sign in or use any token" }),
    updated_at: IsoTimestamp,
  }),
);

export const ListUsersQuery = t.Object(
  {
    q: t.Optional(
      Text({
        minLength: 1,
        maxLength: 254,
        description: "Substring of username, email or full name (case-insensitive)",
      }),
    ),
    ...PageQueryFields,
  },
  { description: "Unknown query parameters are refused (422), so typos do not go unnoticed" },
);

export const CreateUserBody = component(
  "CreateUserBody",
  t.Object(
    {
      username: Username,
      email: Email,
      password: NewPassword,
      full_name: t.Optional(t.Union([FullName, t.Null()])),
      role: t.Optional(RoleSchema),
    },
    {
      ...Strict,
      description:
        "The same rules as sign-up. The account is created verified, with role user unless given; only a superadmin creates admins and superadmins.",
    },
  ),
);

export const UpdateUserBody = component(
  "UpdateUserBody",
  t.Object(
    {
      role: t.Optional(RoleSchema),
      is_active: t.Optional(t.Boolean({ error: "Must be true or false" })),
    },
    {
      ...Strict,
      description:
        "Only a superadmin changes roles or touches another admin or superadmin; the last active superadmin cannot be demoted or deactivated.",
    },
  ),
);

export const BanResponse = component(
  "Ban",
  t.Object({
    id: t.Integer(),
    ip: t.String(),
    reason: t.String(),
    created_at: IsoTimestamp,
    expires_at: IsoTimestamp,
  }),
);

export const ListBansQuery = t.Object(PageQueryFields, {
  description: "Unknown query parameters are refused (422), so typos do not go unnoticed",
});

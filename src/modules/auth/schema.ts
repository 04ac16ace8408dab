import { t } from "elysia";
import { Strict } from "../../platform/http/schemas";

export const Username = t.String({
  pattern: "^[A-Za-z0-9_.-]{3,32}$",
  error: "Must be 3–32 characters: letters, digits, _ . -",
  examples: ["ada_l"],
});
export const Email = t.String({
  format: "email",
  maxLength: 254,
  error: "Must be a valid email address",
});
export const NewPassword = t.String({
  minLength: 8,
  maxLength: 128,
  error: "Must be 8–128 characters",
});
export const FullName = t.String({ maxLength: 100, error: "Must be at most 100 characters" });

export const SignupBody = t.Object(
  {
    username: Username,
    email: Email,
    password: NewPassword,
    full_name: t.Optional(t.Union([FullName, t.Null()])),
  },
  Strict,
);

export const LoginBody = t.Object(
  {
    email: t.Optional(t.String({ maxLength: 254 })),
    username: t.Optional(t.String({ maxLength: 254 })),
    password: t.String({ maxLength: 1024 }),
  },
  { ...Strict, description: "Give either email or username, and the password" },
);

export const TokenFormBody = t.Object(
  {
    grant_type: t.Union([t.Literal("password"), t.Literal("refresh_token")]),
    username: t.Optional(t.String({ maxLength: 254, description: "Username or email" })),
    password: t.Optional(t.String({ maxLength: 1024 })),
    refresh_token: t.Optional(t.String({ maxLength: 512 })),
    scope: t.Optional(t.String({ maxLength: 512 })),
    client_id: t.Optional(t.String({ maxLength: 512 })),
    client_secret: t.Optional(t.String({ maxLength: 512 })),
  },
  { ...Strict, description: "OAuth2 (RFC 6749) password or refresh_token grant" },
);

export const RefreshBody = t.Object(
  { refresh_token: t.String({ minLength: 1, maxLength: 512 }) },
  Strict,
);

export const LogoutBody = t.Optional(
  t.Object({ refresh_token: t.Optional(t.String({ maxLength: 512 })) }, Strict),
);

export const TokenResponse = t.Object({
  access_token: t.String(),
  token_type: t.Literal("bearer"),
  expires_in: t.Integer({ description: "Seconds until the access token expires" }),
  refresh_token: t.String(),
});

export const SessionResponse = t.Object({
  id: t.Integer(),
  created_at: t.String({ format: "date-time" }),
  last_used_at: t.String({ format: "date-time" }),
  user_agent: t.Union([t.String(), t.Null()]),
  ip: t.Union([t.String(), t.Null()]),
  current: t.Boolean(),
});

export const OneTimeCode = t.String({
  pattern: "^[0-9]{6}$",
  error: "Must be the 6-digit code from the email",
  examples: ["042917"],
});

export const EmailBody = t.Object({ email: Email }, Strict);

export const EmailCodeBody = t.Object({ email: Email, otp: OneTimeCode }, Strict);

export const ResetPasswordBody = t.Object(
  {
    reset_token: t.String({ minLength: 1, maxLength: 512, error: "Must be the reset token" }),
    new_password: NewPassword,
  },
  Strict,
);

export const MessageResponse = t.Object({ message: t.String() });

export const ResetTokenResponse = t.Object({
  reset_token: t.String({ description: "Single use; give it to POST /auth/reset-password" }),
  expires_in: t.Integer({ description: "Seconds until the reset token expires" }),
});

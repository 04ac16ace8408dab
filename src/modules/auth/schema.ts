import { withHeaders } from "@elysiajs/openapi";
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { component, ProblemSchema, problem, Strict, Text } from "../../platform/http/schemas";

/**
 * The address rule, as the server checks it: ASCII letters, digits and the RFC 5322 atom
 * characters before the @, dot-separated labels after it, with at least one dot.
 */
export const EMAIL_PATTERN =
  "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$";

export const Username = Text({
  minLength: 3,
  maxLength: 32,
  pattern: "^[A-Za-z0-9_.-]+$",
  error: "Must be 3–32 characters: letters, digits, _ . -",
  description: "3–32 ASCII letters, digits, `_`, `.` or `-`; unique regardless of case",
  examples: ["ada_l"],
});
export const Email = Text({
  maxLength: 254,
  format: "email",
  pattern: EMAIL_PATTERN,
  error: "Must be a valid email address",
  description:
    "At most 254 characters: ASCII letters, digits and !#$%&'*+/=?^_`{|}~- before the @, and a domain with at least one dot. Stored lower-cased; unique regardless of case.",
  examples: ["ada@example.com"],
});
export const NewPassword = Text({
  minLength: 8,
  maxLength: 128,
  error: "Must be 8–128 characters",
  description: "8–128 characters, and not one of the most common passwords",
});
export const FullName = Text({ maxLength: 100 });

export const SignupBody = component(
  "SignupBody",
  t.Object(
    {
      username: Username,
      email: Email,
      password: NewPassword,
      full_name: t.Optional(t.Union([FullName, t.Null()])),
    },
    Strict,
  ),
);

/** How a browser holds its session: the refresh token in an HttpOnly cookie, not in the body. */
export const SessionMode = t.Literal("cookie", {
  description:
    "`cookie`: the refresh token is set as the HttpOnly `kanbun_refresh` cookie (Path=/api/v1/auth, SameSite=Strict) and left out of the response body. For the web app; API clients leave this out and keep the token from the body.",
});

// TypeBox does not check `oneOf` beside `properties`: the login route refuses both or neither
// identifier itself, with a message naming the rule. The keyword is there for the document.
export const LoginBody = component(
  "LoginBody",
  t.Object(
    {
      email: t.Optional(Text({ maxLength: 254, description: "The account's email address" })),
      username: t.Optional(Text({ maxLength: 254, description: "The account's username" })),
      password: Text({ maxLength: 1024 }),
      session: t.Optional(SessionMode),
    },
    {
      ...Strict,
      oneOf: [{ required: ["email"] }, { required: ["username"] }],
      description: "Exactly one of `email` or `username`, and the password",
    },
  ),
);

export const TokenFormBody = component(
  "TokenRequest",
  t.Object(
    {
      grant_type: t.Union([t.Literal("password"), t.Literal("refresh_token")]),
      username: t.Optional(
        Text({ maxLength: 254, description: "Username or email (password grant)" }),
      ),
      password: t.Optional(Text({ maxLength: 1024, description: "Password (password grant)" })),
      refresh_token: t.Optional(
        Text({ maxLength: 512, description: "Refresh token (refresh_token grant)" }),
      ),
      scope: t.Optional(Text({ maxLength: 512, description: "Ignored: there are no scopes" })),
      client_id: t.Optional(Text({ maxLength: 512, description: "Ignored" })),
      client_secret: t.Optional(Text({ maxLength: 512, description: "Ignored" })),
    },
    {
      ...Strict,
      description:
        "OAuth2 (RFC 6749) password grant (`username`, `password`) or refresh_token grant (`refresh_token`)",
    },
  ),
);

/** The token endpoint's 400: a problem that also carries RFC 6749 section 5.2's fields. */
export const OAuthProblem = component(
  "OAuthProblem",
  t.Object(
    {
      ...ProblemSchema.properties,
      // Only ever sent, never read: a plain enum keeps its description in the document (the
      // plugin rewrites a union of literals and drops it).
      error: t.Optional(
        t.String({
          enum: ["invalid_request", "invalid_grant"],
          description:
            "RFC 6749 error code: invalid_request when a field the grant needs is missing, invalid_grant when the credentials or the refresh token are refused. Absent when the body could not be read at all (malformed JSON or form).",
        }),
      ),
      error_description: t.Optional(t.String({ description: "The same text as `detail`" })),
    },
    {
      description:
        "Bad Request: the grant is refused or incomplete (RFC 9457 problem details with RFC 6749 section 5.2 error fields), or the body could not be read",
    },
  ),
);

export const RefreshBody = component(
  "RefreshBody",
  t.Object(
    {
      refresh_token: t.Optional(
        Text({
          minLength: 1,
          maxLength: 512,
          description:
            "The refresh token to spend. Left out, the `kanbun_refresh` cookie is read instead (send `{}`)",
        }),
      ),
      session: t.Optional(SessionMode),
    },
    Strict,
  ),
);

/** The refresh cookie, read by /auth/refresh and /auth/logout. */
export const RefreshCookie = t.Cookie({
  kanbun_refresh: t.Optional(
    Text({
      maxLength: 512,
      description:
        'The refresh token of a browser session, set by login or refresh with `session: "cookie"`. HttpOnly, SameSite=Strict, Path=/api/v1/auth',
    }),
  ),
});

/** The guard that lets /auth/refresh read the cookie: a header no cross-site form can send. */
export const RefreshCookieHeaders = t.Object({
  "x-requested-with": t.Optional(
    Text({
      maxLength: 256,
      description:
        "Any non-empty value (the web app sends `kanbun`). Required for the `kanbun_refresh` cookie to be read; without it a request that carries only the cookie is refused with 403 and the token is not spent",
    }),
  ),
});

export const LogoutBody = t.Optional(
  component(
    "LogoutBody",
    t.Object(
      {
        refresh_token: t.Optional(
          Text({
            maxLength: 512,
            description: "Also spends this refresh token, when it belongs to the same session",
          }),
        ),
      },
      Strict,
    ),
  ),
);

export const TokenResponse = component(
  "TokenResponse",
  t.Object({
    access_token: t.String(),
    token_type: t.Literal("bearer"),
    expires_in: t.Integer({ description: "Seconds until the access token expires" }),
    refresh_token: t.String(),
  }),
);

/** 403 from /auth/refresh: a banned address, or the cookie without its guard header. */
export const RefreshRefusedProblem = problem(
  "Forbidden: this address is banned for a while after too many failed sign-in attempts (with Retry-After), or the `kanbun_refresh` cookie came without an X-Requested-With header (the token is not spent)",
  // TypeBox's own Integer: Elysia's `t.Integer` would also document numeric strings.
  {
    "Retry-After": Type.Integer({ minimum: 0, description: "Seconds to wait before trying again" }),
  },
);

/**
 * Login and refresh: with `session: "cookie"` the refresh token goes into the cookie instead.
 * One object for both routes, strict from the start: Elysia adds `additionalProperties: false`
 * to a response schema when it first compiles a route, and two copies that differed by that
 * would make two different schemas of one name in /docs/json.
 */
export const SessionTokenResponse = withHeaders(
  component(
    "SessionTokenResponse",
    t.Object(
      {
        access_token: t.String(),
        token_type: t.Literal("bearer"),
        expires_in: t.Integer({ description: "Seconds until the access token expires" }),
        refresh_token: t.Optional(
          t.String({
            description:
              "Absent in a cookie session: the token is then in the `kanbun_refresh` cookie (see Set-Cookie)",
          }),
        ),
      },
      Strict,
    ),
  ),
  {
    "Set-Cookie": t.String({
      description:
        "In a cookie session only: `kanbun_refresh=<token>; Max-Age=<REFRESH_TOKEN_TTL>; Path=/api/v1/auth; HttpOnly; SameSite=Strict`, plus `Secure` when APP_URL is https",
    }),
  },
);

/** Logout's 204 always clears the refresh cookie. */
export const LogoutResponse = withHeaders(t.Void(), {
  "Set-Cookie": t.String({
    description:
      "Always `kanbun_refresh=; Max-Age=0; Path=/api/v1/auth; HttpOnly; SameSite=Strict` (plus `Secure` when APP_URL is https): the browser drops the cookie",
  }),
});

export const SessionResponse = component(
  "Session",
  t.Object({
    id: t.Integer(),
    created_at: t.String({ format: "date-time" }),
    last_used_at: t.String({ format: "date-time" }),
    user_agent: t.Union([t.String(), t.Null()]),
    ip: t.Union([t.String(), t.Null()]),
    current: t.Boolean(),
  }),
);

export const OneTimeCode = t.String({
  pattern: "^[0-9]{6}$",
  error: "Must be the 6-digit code from the email",
  examples: ["042917"],
});

export const EmailBody = component("EmailBody", t.Object({ email: Email }, Strict));

export const EmailCodeBody = component(
  "EmailCodeBody",
  t.Object({ email: Email, otp: OneTimeCode }, Strict),
);

export const ResetPasswordBody = component(
  "ResetPasswordBody",
  t.Object(
    {
      reset_token: Text({ minLength: 1, maxLength: 512, error: "Must be the reset token" }),
      new_password: NewPassword,
    },
    Strict,
  ),
);

export const MessageResponse = component("Message", t.Object({ message: t.String() }));

export const ResetTokenResponse = component(
  "ResetToken",
  t.Object({
    reset_token: t.String({ description: "Single use; give it to POST /auth/reset-password" }),
    expires_in: t.Integer({ description: "Seconds until the reset token expires" }),
  }),
);

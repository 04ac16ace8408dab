import { t } from "elysia";
import type { Deps } from "../../deps";
import type { ClientInfo } from "../../platform/context";
import { Forbidden, ValidationFailed } from "../../platform/errors";
import { authGuard } from "../../platform/http/auth";
import { clientIp } from "../../platform/http/request-context";
import { createRouter } from "../../platform/http/router";
import {
  BannedProblem,
  component,
  HasherBusyProblem,
  IdParam,
  problemResponses,
  SignInRefusedProblem,
} from "../../platform/http/schemas";
import { UserResponse } from "../users/schema";
import { requestPasswordReset, resetPassword, verifyResetCode } from "./recovery";
import {
  CSRF_HEADER,
  clearRefreshCookie,
  cookieRefreshToken,
  deliverTokens,
  heldRefreshTokens,
} from "./refresh-cookie";
import {
  EmailBody,
  EmailCodeBody,
  LoginBody,
  LogoutBody,
  LogoutResponse,
  MessageResponse,
  OAuthProblem,
  RefreshBody,
  RefreshCookie,
  RefreshCookieHeaders,
  RefreshRefusedProblem,
  ResetPasswordBody,
  ResetTokenResponse,
  SessionResponse,
  SessionTokenResponse,
  SignupBody,
  TokenFormBody,
  TokenResponse,
} from "./schema";
import {
  grantToken,
  listSessions,
  login,
  logout,
  logoutAll,
  refresh,
  revokeSession,
  signup,
} from "./service";
import { resendVerification, verifyEmail } from "./verification";

const SIGNUP_CLOSED = "Sign-up is closed on this server; ask an administrator for an account";

// Token responses must never be cached by a browser or proxy (RFC 6749 section 5.1).
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

export function authRoutes(deps: Deps) {
  const client = (request: Request, server: Parameters<typeof clientIp>[1]): ClientInfo => ({
    ip: clientIp(request, server, deps.config.trustProxy),
    userAgent: request.headers.get("user-agent"),
  });

  return createRouter("/auth", "Auth")
    .use(authGuard(deps))
    .post(
      "/signup",
      async ({ body, set }) => {
        set.status = 201;
        return signup({ deps }, body);
      },
      {
        // Before validation: a closed door answers the same whatever the body holds. An arrow
        // function: Elysia's static analysis misreads a minified method without parameters.
        transform: () => {
          if (!deps.config.allowSignup) throw new Forbidden(SIGNUP_CLOSED);
        },
        body: SignupBody,
        detail: {
          summary: "Create an account",
          description:
            "Answers 403 when the server closes public sign-up (ALLOW_SIGNUP=false); an admin then creates accounts.",
        },
        response: {
          201: component("SignupResponse", t.Object({ message: t.String(), user: UserResponse })),
          ...problemResponses(400, 415, 422),
          403: BannedProblem,
          503: HasherBusyProblem,
        },
      },
    )
    .post(
      "/login",
      async ({ body, cookie, request, server, set }) => {
        const identifier = body.email ?? body.username;
        if (!identifier || (body.email !== undefined && body.username !== undefined)) {
          throw new ValidationFailed("Give either email or username", [
            { path: "/email", message: "Give either email or username, not both or neither" },
          ]);
        }
        Object.assign(set.headers, NO_STORE);
        const pair = await login(
          { deps },
          { login: identifier, password: body.password },
          client(request, server),
        );
        const inCookie = body.session === "cookie" ? cookie.kanbun_refresh : undefined;
        return deliverTokens(pair, inCookie ?? null, deps.config);
      },
      {
        body: LoginBody,
        detail: {
          summary: "Sign in with email or username and password",
          description:
            'With `session: "cookie"` (the web app) the refresh token is set as the HttpOnly `kanbun_refresh` cookie instead of being returned in the body.',
        },
        response: {
          200: SessionTokenResponse,
          ...problemResponses(401, 422),
          403: SignInRefusedProblem,
          503: HasherBusyProblem,
        },
      },
    )
    .post(
      "/token",
      async ({ body, request, server, set }) => {
        Object.assign(set.headers, NO_STORE);
        return await grantToken({ deps }, body, client(request, server));
      },
      {
        body: TokenFormBody,
        detail: {
          summary: "OAuth2 token endpoint (password and refresh_token grants)",
          description: "Form-encoded as RFC 6749 asks; used by the docs page's Authorize button.",
        },
        response: {
          200: TokenResponse,
          400: OAuthProblem,
          ...problemResponses(422),
          403: SignInRefusedProblem,
          503: HasherBusyProblem,
        },
      },
    )
    .post(
      "/refresh",
      async ({ body, cookie, headers, set }) => {
        Object.assign(set.headers, NO_STORE);
        const fromBody = body.refresh_token;
        const presented =
          fromBody ?? cookieRefreshToken(cookie.kanbun_refresh, headers[CSRF_HEADER]);
        const pair = await refresh({ deps }, presented);
        // A token read from the cookie goes back into it: it never reaches the page's scripts.
        const inCookie = fromBody === undefined || body.session === "cookie";
        return deliverTokens(pair, inCookie ? cookie.kanbun_refresh : null, deps.config);
      },
      {
        body: RefreshBody,
        cookie: RefreshCookie,
        headers: RefreshCookieHeaders,
        detail: {
          summary: "Exchange a refresh token for a new pair; the old one is spent",
          description:
            'Give `refresh_token` in the body, or leave it out (`{}`) and send the `kanbun_refresh` cookie together with an `X-Requested-With` header (any value; without it the cookie is refused with 403 and not spent). A token from the cookie, or `session: "cookie"`, sets the next refresh token in the cookie and leaves it out of the body. Presenting a spent token ends its whole session.',
        },
        response: {
          200: SessionTokenResponse,
          ...problemResponses(401, 422),
          403: RefreshRefusedProblem,
        },
      },
    )
    .post(
      "/logout",
      async ({ actor, body, cookie, set }) => {
        await logout(
          { deps, actor },
          heldRefreshTokens(body?.refresh_token, cookie.kanbun_refresh),
        );
        clearRefreshCookie(cookie.kanbun_refresh, deps.config);
        set.status = 204;
      },
      {
        auth: true,
        body: LogoutBody,
        cookie: RefreshCookie,
        detail: {
          summary: "End this session; its access token stops working at once",
          description:
            "Also ends the session of a refresh token given in the body or held in the `kanbun_refresh` cookie, when it is the caller's, and always clears that cookie.",
        },
        response: {
          204: LogoutResponse,
          ...problemResponses(401),
          403: BannedProblem,
        },
      },
    )
    .post(
      "/logout-all",
      async ({ actor, set }) => {
        await logoutAll({ deps, actor });
        set.status = 204;
      },
      {
        auth: true,
        detail: { summary: "End every session of the signed-in user" },
        response: { 204: t.Void(), ...problemResponses(401), 403: BannedProblem },
      },
    )
    .get("/sessions", async ({ actor }) => await listSessions({ deps, actor }), {
      auth: true,
      detail: { summary: "The signed-in user's live sessions" },
      response: { 200: t.Array(SessionResponse), ...problemResponses(401), 403: BannedProblem },
    })
    .delete(
      "/sessions/:id",
      async ({ actor, params, set }) => {
        await revokeSession({ deps, actor }, params.id);
        set.status = 204;
      },
      {
        auth: true,
        params: IdParam,
        detail: { summary: "End one of your sessions" },
        response: { 204: t.Void(), ...problemResponses(401, 404), 403: BannedProblem },
      },
    )
    .post(
      "/forgot-password",
      async ({ body, set }) => {
        set.status = 202;
        return await requestPasswordReset({ deps }, body);
      },
      {
        body: EmailBody,
        detail: {
          summary: "Email a 6-digit password reset code",
          description:
            "Always 202 with the same body, whether or not the address has an account. The code is valid for 10 minutes and 5 tries; a new request replaces it, but within 60 s of the last one no new email is sent.",
        },
        response: { 202: MessageResponse, ...problemResponses(415, 422, 429), 403: BannedProblem },
      },
    )
    .post(
      "/verify-otp",
      async ({ body, set }) => {
        Object.assign(set.headers, NO_STORE);
        return await verifyResetCode({ deps }, body);
      },
      {
        body: EmailCodeBody,
        detail: {
          summary: "Exchange a password reset code for a reset token",
          description: "A wrong, expired or used-up code gets 400; each wrong code uses a try.",
        },
        response: {
          200: ResetTokenResponse,
          ...problemResponses(400, 415, 422, 429),
          403: BannedProblem,
        },
      },
    )
    .post("/reset-password", async ({ body }) => await resetPassword({ deps }, body), {
      body: ResetPasswordBody,
      detail: {
        summary: "Set a new password with a reset token",
        description:
          "The token works once. Every session of the account ends, and a 'password changed' email goes out.",
      },
      response: {
        200: MessageResponse,
        ...problemResponses(400, 415, 422),
        403: BannedProblem,
        503: HasherBusyProblem,
      },
    })
    .post("/verify-email", async ({ body }) => await verifyEmail({ deps }, body), {
      body: EmailCodeBody,
      detail: {
        summary: "Verify your email address with the emailed code",
        description: "A wrong, expired or used-up code gets 400; each wrong code uses a try.",
      },
      response: {
        200: MessageResponse,
        ...problemResponses(400, 415, 422, 429),
        403: BannedProblem,
      },
    })
    .post(
      "/resend-verification",
      async ({ body, set }) => {
        set.status = 202;
        return await resendVerification({ deps }, body);
      },
      {
        body: EmailBody,
        detail: {
          summary: "Email a new verification code",
          description:
            "Always 202 with the same body. Nothing is sent for unknown or already verified addresses, nor within 60 s of the last code.",
        },
        response: { 202: MessageResponse, ...problemResponses(415, 422), 403: BannedProblem },
      },
    );
}

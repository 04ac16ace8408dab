import type { Cookie } from "elysia";
import type { Config } from "../../platform/config";
import { Forbidden, Unauthenticated } from "../../platform/errors";
import type { TokenPair } from "./session-tokens";

/**
 * A browser session keeps its refresh token in an HttpOnly cookie, out of reach of any script
 * on the page (see docs/decisions/012-browser-sessions.md). API clients never see the cookie:
 * they keep the token from the response body, as before.
 */
export const REFRESH_COOKIE = "kanbun_refresh";

/** The cookie goes back only to the auth routes: no other request carries the token. */
export const REFRESH_COOKIE_PATH = "/api/v1/auth";

export const CSRF_HEADER = "x-requested-with";

export type SessionTokens = Omit<TokenPair, "refresh_token"> & { refresh_token?: string };

function cookieAttributes(config: Pick<Config, "appUrl">) {
  return {
    httpOnly: true,
    sameSite: "strict",
    path: REFRESH_COOKIE_PATH,
    secure: new URL(config.appUrl).protocol === "https:",
  } as const;
}

/**
 * Answers with the pair as the client holds it: the whole pair in the body, or, given the
 * browser's cookie, the refresh token set in it and the rest in the body.
 */
export function deliverTokens(
  pair: TokenPair,
  cookie: Cookie<unknown> | null,
  config: Pick<Config, "appUrl" | "refreshTokenTtlSeconds">,
): SessionTokens {
  if (cookie === null) return pair;
  const { refresh_token, ...rest } = pair;
  cookie.set({
    value: refresh_token,
    maxAge: config.refreshTokenTtlSeconds,
    ...cookieAttributes(config),
  });
  return rest;
}

/** Tells the browser to drop the cookie, with the attributes it was set with. */
export function clearRefreshCookie(cookie: Cookie<unknown>, config: Pick<Config, "appUrl">): void {
  cookie.set({ value: "", maxAge: 0, ...cookieAttributes(config) });
}

/** The cookie's token, if the request carries a non-empty one. */
function heldCookieToken(cookie: Cookie<string | undefined>): string | undefined {
  return cookie.value || undefined;
}

/** The refresh tokens a logout names: one in its body, one in the browser's cookie. */
export function heldRefreshTokens(
  fromBody: string | undefined,
  cookie: Cookie<string | undefined>,
): string[] {
  return [fromBody, heldCookieToken(cookie)].filter((token) => token !== undefined);
}

/**
 * The refresh token a request without a body token presents through its cookie. SameSite=Strict
 * already keeps the cookie off cross-site requests; the custom header is a second guard (a form
 * or a simple cross-origin request cannot send it), so a cookie alone spends nothing.
 */
export function cookieRefreshToken(
  cookie: Cookie<string | undefined>,
  csrfHeader: string | undefined,
): string {
  const token = heldCookieToken(cookie);
  if (token === undefined) {
    throw new Unauthenticated(
      "No refresh token: send refresh_token in the body, or the kanbun_refresh cookie with an X-Requested-With header",
    );
  }
  if (!csrfHeader) {
    throw new Forbidden(
      "The kanbun_refresh cookie is read only with an X-Requested-With header; the token was not used",
    );
  }
  return token;
}

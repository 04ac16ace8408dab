import { WEB_APP_PAGES, WEB_ASSETS } from "../../src/platform/http/web-app";
import { createTokenService } from "../../src/platform/tokens";
import type { TestContext } from "./app";
import { FakeClock } from "./clock";
import type { TestUser } from "./factories";

/**
 * Routes anyone may call: operations, docs, the web app's pages and assets (the app asks for
 * the API's tokens itself), and the steps that lead to holding a token.
 */
const PUBLIC_PATHS = new Set<string>([
  ...WEB_APP_PAGES,
  `${WEB_ASSETS}/:name`,
  "/health",
  "/ready",
  "/metrics",
  "/api/v1/auth/signup",
  "/api/v1/auth/login",
  "/api/v1/auth/token",
  "/api/v1/auth/refresh",
  "/api/v1/auth/forgot-password",
  "/api/v1/auth/verify-otp",
  "/api/v1/auth/reset-password",
  "/api/v1/auth/verify-email",
  "/api/v1/auth/resend-verification",
  // The unsubscribe link of a notification email: its token is the credential.
  "/api/v1/notifications/unsubscribe",
]);

const HTTP_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

export interface RouteRef {
  method: string;
  path: string;
}

/**
 * Every HTTP route of the app that must demand a token, read from the router itself so routes
 * added later are checked without anyone listing them. WebSocket routes are left to their own
 * tests: app.handle() cannot upgrade a connection.
 */
export function protectedRoutes(ctx: TestContext): RouteRef[] {
  const seen = new Set<string>();
  const routes: RouteRef[] = [];
  for (const { method, path } of ctx.app.routes) {
    const verb = method.toUpperCase();
    if (!HTTP_METHODS.has(verb)) continue;
    if (PUBLIC_PATHS.has(path) || path === "/docs" || path.startsWith("/docs/")) continue;
    const key = `${verb} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: verb, path });
  }
  return routes;
}

/** A concrete URL for a route pattern: each `:param` becomes a plausible id, `*` a segment. */
export function concretePath(path: string): string {
  return path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "7").replace(/\*/g, "anything");
}

interface Claims {
  userId: number;
  sessionId: number;
}

/** The claims inside one of our access tokens (read without checking the signature). */
export function claimsOf(accessToken: string): Claims {
  const payload = accessToken.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  const json = JSON.parse(Buffer.from(payload, "base64url").toString()) as {
    sub: string;
    sid: number;
  };
  return { userId: Number(json.sub), sessionId: json.sid };
}

export interface BadCredential {
  name: string;
  /** The Authorization header to send, or null for none. */
  authorization: string | null;
}

/**
 * Credentials every protected route must refuse. The forged and expired tokens name the live
 * session of `user`, so the signature or the expiry is the only thing wrong with them.
 */
export async function badCredentials(ctx: TestContext, user: TestUser): Promise<BadCredential[]> {
  const claims = claimsOf(user.accessToken);
  const ttl = ctx.deps.config.accessTokenTtlSeconds;
  const secret = ctx.deps.config.jwtSecret;
  if (!secret) throw new Error("the test context must set JWT_SECRET");
  const foreign = await createTokenService(`${secret}-but-not-ours`, ttl, ctx.clock);
  const past = new FakeClock(ctx.clock.now() - (ttl + 60) * 1000);
  const stale = await createTokenService(secret, ttl, past);
  const [header = "", , signature = ""] = user.accessToken.split(".");
  return [
    { name: "anonymous", authorization: null },
    { name: "malformed token", authorization: "Bearer not-a-token" },
    { name: "tampered token", authorization: `Bearer ${header}.e30.${signature}` },
    { name: "wrong scheme", authorization: `Basic ${user.accessToken}` },
    { name: "foreign secret", authorization: `Bearer ${await foreign.signAccess(claims)}` },
    { name: "expired token", authorization: `Bearer ${await stale.signAccess(claims)}` },
  ];
}

/**
 * Calls every protected route with every bad credential and returns one line per wrong answer
 * (an empty list means all of them said 401 problem+json with `WWW-Authenticate: Bearer`).
 */
export async function findUnguardedRoutes(
  ctx: TestContext,
  routes: RouteRef[],
  credentials: BadCredential[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const route of routes) {
    for (const credential of credentials) {
      const headers: Record<string, string> = {};
      if (credential.authorization !== null) headers.authorization = credential.authorization;
      const response = await ctx.request(concretePath(route.path), {
        method: route.method,
        headers,
      });
      const problem = describeRefusal(response, await response.text());
      if (problem) failures.push(`${route.method} ${route.path} [${credential.name}]: ${problem}`);
    }
  }
  return failures;
}

function describeRefusal(response: Response, text: string): string | null {
  if (response.status !== 401) return `status ${response.status} ${text.slice(0, 200)}`;
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) return `content-type ${type}`;
  if (response.headers.get("www-authenticate") !== "Bearer") {
    return `WWW-Authenticate ${response.headers.get("www-authenticate")}`;
  }
  const body = JSON.parse(text) as { code?: unknown; status?: unknown };
  if (body.code !== "unauthorized_error" || body.status !== 401) return `body ${text}`;
  return null;
}

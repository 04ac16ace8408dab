import { Elysia } from "elysia";
import type { Config } from "../config";
import { UnsupportedMediaType } from "../errors";
import {
  declaredLength,
  handOverBody,
  readBodyWithin,
  readDeclaredBody,
  urlEncodedForm,
} from "./request-body";

/** What the platform learns about one request, kept beside it without touching Elysia's types. */
export interface RequestState {
  id: string;
  startedAt: number;
  userId?: number;
}

const states = new WeakMap<Request, RequestState>();

export function requestState(request: Request): RequestState {
  let state = states.get(request);
  if (!state) {
    state = { id: crypto.randomUUID(), startedAt: performance.now() };
    states.set(request, state);
  }
  return state;
}

// An incoming id is echoed only when it is short and harmless to put in logs and headers.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";
// The docs page runs Swagger UI, served by this binary: it needs its own scripts and styles.
const DOCS_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Methods whose body is checked for size and media type (and then parsed). */
export const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ONE_CLICK_UNSUBSCRIBE = "/api/v1/notifications/unsubscribe";
/**
 * Routes that also take a form: the OAuth2 token endpoint, as RFC 6749 asks, and one-click
 * unsubscribe, which mail clients post as a form (RFC 8058).
 */
export const FORM_PATHS: ReadonlySet<string> = new Set([
  "/api/v1/auth/token",
  ONE_CLICK_UNSUBSCRIBE,
]);
/**
 * RFC 8058 lets mail clients send the one-click form as multipart/form-data too; its text fields
 * reach the route as if they had been sent form-encoded.
 */
export const MULTIPART_PATHS: ReadonlySet<string> = new Set([ONE_CLICK_UNSUBSCRIBE]);

/** First hop of every request: the request id and the security headers. */
export function requestContext() {
  return new Elysia().onRequest(({ request, set }) => {
    const incomingId = request.headers.get("x-request-id");
    const state = requestState(request);
    if (incomingId && VALID_REQUEST_ID.test(incomingId)) state.id = incomingId;

    const path = pathOf(request.url);
    set.headers["x-request-id"] = state.id;
    set.headers["x-content-type-options"] = "nosniff";
    set.headers["referrer-policy"] = "no-referrer";
    set.headers["x-frame-options"] = "DENY";
    set.headers["cross-origin-opener-policy"] = "same-origin";
    set.headers["cross-origin-resource-policy"] = "same-origin";
    // Only the HTML page runs scripts; the spec and assets keep the strict policy.
    set.headers["content-security-policy"] = DOCS_PAGES.has(path) ? DOCS_CSP : JSON_CSP;
    // Until the body guard has read a body, any answer (a 429 or a ban before it, a 413 or 415
    // from it) closes the connection: the runtime would otherwise receive and discard the unread
    // rest, however long, before the connection served another request or shutdown could end.
    if (request.body !== null) set.headers.connection = "close";
  });
}

/**
 * The checks on a body (size and media type) that must answer before anything reads it, and the
 * one place that reads it. Mounted after CORS and the rate limits, so that its 413, 415 and 400
 * answers carry their headers and count against the client like any other request. The body is
 * read here, before routing and authentication, so that an oversized upload is refused (and its
 * connection closed) as soon as it passes the limit, on any path.
 */
export function bodyGuard(config: Config) {
  return new Elysia().onRequest(async ({ request, set }) => {
    // Any method: a body declared over the limit is refused from the header, never received.
    const declared = declaredLength(request, config.bodyLimitBytes);
    if (!BODY_METHODS.has(request.method) || request.body === null) return;
    // A declared body of the wrong type is refused before it is read.
    if (declared) checkMediaType(request);
    const bytes =
      declared === null
        ? await readBodyWithin(request.body, config.bodyLimitBytes)
        : await readDeclaredBody(request);
    // Read to the end: the connection can serve the next request (see requestContext).
    delete set.headers.connection;
    if (declared === null && bytes.byteLength > 0) checkMediaType(request);
    const multipart = mediaTypeOf(request) === "multipart/form-data" && bytes.byteLength > 0;
    const body = multipart ? await urlEncodedForm(request, bytes) : bytes;
    handOverBody(request, body, isForm(request));
  });
}

const DOCS_PAGES = new Set(["/docs", "/docs/"]);

function mediaTypeOf(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function isForm(request: Request): boolean {
  const type = mediaTypeOf(request);
  const path = pathOf(request.url);
  if (type === "multipart/form-data") return MULTIPART_PATHS.has(path);
  return type === "application/x-www-form-urlencoded" && FORM_PATHS.has(path);
}

/** JSON, under its own name or any `application/*+json` one (merge-patch, vnd.*), and forms. */
function checkMediaType(request: Request): void {
  const type = mediaTypeOf(request);
  const isJson = type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
  if (isJson || isForm(request)) return;
  throw new UnsupportedMediaType(
    FORM_PATHS.has(pathOf(request.url))
      ? "Send application/x-www-form-urlencoded or application/json"
      : "Send the body as application/json",
  );
}

export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.indexOf("?", start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/**
 * The client address: the socket peer, or with TRUST_PROXY the last X-Forwarded-For entry, the
 * one our own proxy appended. Earlier entries come from the client and can be forged.
 */
export function clientIp(
  request: Request,
  server: { requestIP(request: Request): { address: string } | null } | null,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return server?.requestIP(request)?.address ?? "unknown";
}

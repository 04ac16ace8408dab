import { bodyRuleOf } from "./body-rules";
import { EXEMPT_PATHS } from "./rate-limit";
import { BODY_METHODS, FORM_PATHS, MULTIPART_PATHS } from "./request-context";
import { collectComponents } from "./schema-document";
import { COMPONENTS, PROBLEM_DECLARATION, ProblemSchema } from "./schemas";

/**
 * What the platform does on every route, added to the generated OpenAPI document: no route
 * schema says it, and @elysiajs/openapi cannot be told.
 *
 * - Request bodies. The plugin lists JSON, form and multipart for every body unless the route
 *   sets `parse`, which also changes parsing: `parse: 'json'` parses even an empty body (400
 *   instead of 422, and 400 on body-less routes), and with several built-in parsers the first
 *   wins whatever the Content-Type (a JSON body sent to /auth/token would be read as a form).
 *   So routes keep Elysia's parsing by Content-Type, request-context.ts refuses other media
 *   types with 415, and the document names the types it accepts here.
 * - Problem responses the platform plugins give on any route, with their headers, and
 *   `application/problem+json` as their media type (the plugin says application/json).
 * - The plugin replaces `detail.responses` with the ones generated from `response`, so route
 *   headers are declared with `withHeaders` (schemas.ts); their descriptions are lifted here.
 * - Route schemas become plain JSON Schema: named ones move to `components.schemas`, the
 *   server's own `error` messages stay out, numbers are numbers (schema-document.ts).
 * - Every operation states its `security` (`[]` when it is public).
 *
 * The rules come from the plugins that enforce them (request-context.ts, rate-limit.ts);
 * test/docs.test.ts sends real requests to check that the server behaves as the document says.
 */

const JSON_ONLY = ["application/json"];
const FORM_OR_JSON = ["application/x-www-form-urlencoded", "application/json"];
const ANY_FORM_OR_JSON = [...FORM_OR_JSON, "multipart/form-data"];
const PROBLEM_MEDIA_TYPE = "application/problem+json";
const PROBLEM_REF = { $ref: `${COMPONENTS}Problem` };

const STATUS_TEXT: Record<string, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  304: "Not Modified: If-None-Match still matches",
  400: "Bad Request: the body is not valid JSON, or the detail says what is wrong",
  401: "Unauthorized: the access token is missing, malformed, expired or revoked",
  403: "Forbidden: your role does not allow this",
  404: "Not Found, or not yours to see",
  409: "Conflict",
  412: "Precondition Failed: If-Match names an older version",
  413: "Content Too Large: the body is over the server's BODY_LIMIT",
  422: "Unprocessable Content: errors[] names each invalid parameter or field",
  429: "Too Many Requests: wait Retry-After seconds",
  500: "Internal Server Error: the request id identifies it in the logs",
  503: "Service Unavailable",
};

interface Header {
  description?: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  description?: string;
  headers?: Record<string, Header>;
  content?: Record<string, unknown>;
}
interface Operation {
  parameters?: unknown[];
  security?: unknown[];
  requestBody?: { content?: Record<string, { schema?: unknown }>; required?: boolean };
  responses?: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}
/** A route as the app lists it (Elysia's `routes`), for what the document cannot tell. */
export interface AppRoute {
  method: string;
  path: string;
  hooks: { body?: unknown };
}

const SECONDS = { type: "integer", minimum: 0 };
const RATE_LIMIT_HEADERS: Record<string, Header> = {
  "RateLimit-Limit": {
    description: "Requests allowed in the current window (when rate limiting is on)",
    schema: SECONDS,
  },
  "RateLimit-Remaining": { description: "Requests left in the current window", schema: SECONDS },
  "RateLimit-Reset": { description: "Seconds until the current window ends", schema: SECONDS },
};
const RETRY_AFTER: Header = {
  description: "Seconds to wait before trying again",
  required: true,
  schema: SECONDS,
};
const WWW_AUTHENTICATE: Header = {
  description: "The scheme to authenticate with",
  required: true,
  schema: { type: "string", enum: ["Bearer"] },
};

const described = new WeakMap<object, Document>();

/** The document with the platform's behaviour added; the plugin caches its document, so do we. */
export function describePlatform(source: unknown, routes: readonly AppRoute[]): unknown {
  if (typeof source !== "object" || source === null || !("paths" in source)) return source;
  const cached = described.get(source);
  if (cached) return cached;
  const document = JSON.parse(JSON.stringify(source)) as Document;
  const schemas = collectComponents(document, structuredClone(PROBLEM_DECLARATION));
  const optionalBodies = new Set(
    routes
      .filter((route) => bodyRuleOf(route.hooks.body).kind === "optional")
      .map((route) => operationKey(route.method, route.path.replace(/:(\w+)/g, "{$1}"))),
  );
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      describeOperation(path, method, operation, optionalBodies.has(operationKey(method, path)));
    }
  }
  document.components = { ...document.components, schemas };
  described.set(source, document);
  return document;
}

function describeOperation(
  path: string,
  method: string,
  operation: Operation,
  optionalBody: boolean,
): void {
  const mediaTypes = MULTIPART_PATHS.has(path)
    ? ANY_FORM_OR_JSON
    : FORM_PATHS.has(path)
      ? FORM_OR_JSON
      : JSON_ONLY;
  const body = operation.requestBody;
  if (body?.content) {
    const schema =
      body.content["application/json"]?.schema ?? Object.values(body.content)[0]?.schema;
    body.content = Object.fromEntries(mediaTypes.map((type) => [type, { schema }]));
    body.required = !optionalBody;
  }

  // Public operations say so: a missing `security` would mean "whatever the document's default".
  operation.security ??= [];

  const responses: Record<string, ResponseObject> = { ...operation.responses };
  const statuses = [500];
  if (BODY_METHODS.has(method.toUpperCase())) statuses.push(400, 413, 415, 422);
  if (operation.parameters?.length) statuses.push(422);
  if (operation.security?.length) statuses.push(401);
  const rateLimited = !EXEMPT_PATHS.has(path);
  if (rateLimited) statuses.push(429);
  for (const status of statuses) responses[status] ??= {};

  for (const [status, response] of Object.entries(responses)) {
    describeResponse(Number(status), response, mediaTypes);
    const headers = liftHeaderDescriptions(response.headers);
    if (status === "401") headers["WWW-Authenticate"] = WWW_AUTHENTICATE;
    if (status === "429") headers["Retry-After"] = RETRY_AFTER;
    if (rateLimited) Object.assign(headers, RATE_LIMIT_HEADERS);
    if (Object.keys(headers).length > 0) response.headers = headers;
  }
  operation.responses = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)),
  );
}

function describeResponse(status: number, response: ResponseObject, mediaTypes: string[]): void {
  const generic =
    !response.description ||
    response.description === `Response for status ${status}` ||
    response.description === ProblemSchema.description;
  if (generic) {
    response.description =
      status === 415
        ? `Unsupported Media Type: send the body as ${mediaTypes.join(" or ")}`
        : (STATUS_TEXT[status] ?? `Status ${status}`);
  }
  if (status >= 400) {
    // Every 4xx/5xx body is a problem document: a named one (e.g. OAuthProblem) where the route
    // declares it, else the Problem itself.
    const declared = response.content?.["application/json"] as { schema?: { $ref?: string } };
    const schema = declared?.schema?.$ref ? declared.schema : PROBLEM_REF;
    response.content = { [PROBLEM_MEDIA_TYPE]: { schema } };
  } else if (response.content && !Object.keys(response.content).some((key) => key.includes("/"))) {
    // The plugin writes `content: { type: "void" }` for an empty body, which is not OpenAPI.
    delete response.content;
  }
}

/** The plugin puts a header's description inside its schema; OpenAPI has a place for it. */
function liftHeaderDescriptions(headers: Record<string, Header> = {}): Record<string, Header> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, header]) => {
      const { description, ...schema } = (header.schema ?? {}) as { description?: string };
      if (header.description || description === undefined) return [name, header];
      return [name, { ...header, description, schema }];
    }),
  );
}

function operationKey(method: string, path: string): string {
  return `${method.toLowerCase()} ${path}`;
}

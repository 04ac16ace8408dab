import { withHeaders } from "@elysiajs/openapi";
import { Type } from "@sinclair/typebox";
import { type TSchema, t } from "elysia";
import { installDateTimeFormat } from "./date-time-format";
import { WholeNumber } from "./schema-kinds";

// After Elysia has registered its formats (its import above runs first).
installDateTimeFormat();

/** Shared TypeBox building blocks for API schemas. */

export const IsoTimestamp = t.String({
  format: "date-time",
  examples: ["2026-11-21T10:15:30.123Z"],
});
export const NullableIsoTimestamp = t.Union([IsoTimestamp, t.Null()]);

export { Text, WholeNumber } from "./schema-kinds";

/** Ids are positive, and 15 digits stay well within JavaScript's safe integers. */
export const MAX_ID = 999_999_999_999_999;

export const IdParam = t.Object({
  id: WholeNumber({
    minimum: 1,
    maximum: MAX_ID,
    error: "Must be a positive whole number",
    description: "Resource id",
  }),
});

export const COMPONENTS = "#/components/schemas/";

/**
 * Names a schema as an OpenAPI component: the document lists it once under
 * `components.schemas` and refers to it by `$ref` wherever it appears. The `$id` is the one
 * Elysia's own models carry; openapi-platform.ts moves the schema there.
 */
export function component<S extends TSchema>(name: string, schema: S): S {
  const id = `${COMPONENTS}${name}`;
  if (!("additionalProperties" in schema)) declaredOpen.add(id);
  return { ...schema, $id: id };
}

/**
 * The components declared without `additionalProperties`. Elysia adds `false` in place to a
 * route's top-level object schema when it first compiles the route, while the copies nested in
 * arrays stay as declared: the document leaves it out for these, so that what it says does not
 * depend on which routes have already served a request.
 */
const declaredOpen = new Set<string>();

export function isDeclaredOpen(id: string): boolean {
  return declaredOpen.has(id);
}

/** A JSON object whose unknown or server-owned fields are rejected rather than dropped. */
export const Strict = { additionalProperties: false } as const;

export const ProblemSchema = t.Object(
  {
    type: t.String(),
    title: t.String(),
    // TypeBox's own Integer: Elysia's `t.Integer` would also document numeric strings.
    status: Type.Integer(),
    detail: t.String(),
    instance: t.String(),
    code: t.String({
      description:
        "Stable code: bad_request, unauthorized_error, forbidden_access, not_found, method_not_allowed, conflict, gone, precondition_failed, payload_too_large, unsupported_media_type, validation_error, too_many_requests, internal_server_error or service_unavailable",
    }),
    request_id: t.String({ description: "Also in the X-Request-Id header and the server's logs" }),
    errors: t.Optional(
      t.Array(
        t.Object({
          path: t.String({ description: "JSON Pointer to the parameter or field, e.g. /title" }),
          message: t.String(),
        }),
        { description: "With validation_error: each invalid parameter or field" },
      ),
    ),
  },
  { description: "RFC 9457 problem details" },
);

/** The Problem schema as declared, for the document: Elysia completes ProblemSchema in place. */
export const PROBLEM_DECLARATION: Record<string, unknown> = JSON.parse(
  JSON.stringify(ProblemSchema),
);

/**
 * Problem responses that come from a route's own rules, for the OpenAPI document. The ones the
 * platform can give on any route (400/413/415/422 for bodies and parameters, 401, 429, 500) are
 * added to every operation when the document is built (see openapi-platform.ts).
 */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));

const RetryAfterHeader = Type.Integer({
  minimum: 0,
  description: "Seconds to wait before trying again",
});

/** A problem response with its own description (and headers) in the OpenAPI document. */
export function problem(description: string, headers?: Record<string, TSchema>) {
  const schema = t.Object(ProblemSchema.properties, { description });
  return headers ? withHeaders(schema, headers) : schema;
}

/** 403 from every /api/v1/auth route while the client address is banned (auth/throttle.ts). */
export const BannedProblem = problem(
  "Forbidden: this address is banned for a while after too many failed sign-in attempts",
  { "Retry-After": RetryAfterHeader },
);

/** 403 from the sign-in routes: a banned address, or an account that may not sign in. */
export const SignInRefusedProblem = problem(
  "Forbidden: this address is banned for a while after too many failed sign-in attempts (with Retry-After), or the account is deactivated or its email address is not verified yet",
  { "Retry-After": RetryAfterHeader },
);

/** 503 from routes that hash or check a password when too many wait for the hasher. */
export const HasherBusyProblem = problem(
  "Service Unavailable: too many password checks in progress; try again shortly",
  { "Retry-After": RetryAfterHeader },
);

const RESPONSE_HEADERS = {
  ETag: t.String({
    description: "Version of the returned resource, for If-Match and If-None-Match",
  }),
  Location: t.String({ description: "Path of the created resource" }),
  "X-Total-Count": Type.Integer({
    minimum: 0,
    description: "How many items match, across all pages",
  }),
  "X-Unread-Count": Type.Integer({
    minimum: 0,
    description: "How many of your notifications are unread",
  }),
  Link: t.String({
    description: 'RFC 8288 links to the first, prev, next and last pages (rel="…")',
  }),
};

/** Documents response headers the handler sets (the plugin lists them under the status). */
export function withResponseHeaders<S extends TSchema>(
  schema: S,
  ...names: (keyof typeof RESPONSE_HEADERS)[]
) {
  return withHeaders(
    schema,
    Object.fromEntries(names.map((name) => [name, RESPONSE_HEADERS[name]])),
  );
}

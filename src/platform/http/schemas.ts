import { withHeaders } from "@elysiajs/openapi";
import { Type } from "@sinclair/typebox";
import { type TSchema, t } from "elysia";
import { installDateTimeFormat } from "./date-time-format";

// After Elysia has registered its formats (its import above runs first).
installDateTimeFormat();

/** Shared TypeBox building blocks for API schemas. */

export const IsoTimestamp = t.String({
  format: "date-time",
  examples: ["2026-11-21T10:15:30.123Z"],
});
export const NullableIsoTimestamp = t.Union([IsoTimestamp, t.Null()]);

/**
 * A whole number sent as text (path or query), range-checked by pattern and handed to the
 * handler as a number. Elysia's `t.Integer` checks the range only after converting the string and
 * then reports the error without the parameter's name.
 */
export const wholeNumberText = (pattern: string, error: string, description?: string) =>
  t
    .Transform(t.String({ pattern, error, ...(description ? { description } : {}) }))
    .Decode((value) => Number(value))
    .Encode((value) => String(value));

export const POSITIVE_ID_PATTERN = "^[1-9][0-9]{0,14}$";

export const IdParam = t.Object({
  id: wholeNumberText(POSITIVE_ID_PATTERN, "Must be a positive whole number", "Resource id"),
});

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
    code: t.String(),
    request_id: t.String(),
    errors: t.Optional(t.Array(t.Object({ path: t.String(), message: t.String() }))),
  },
  { description: "RFC 9457 problem details" },
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

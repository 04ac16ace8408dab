import { t } from "elysia";

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
    status: t.Integer(),
    detail: t.String(),
    instance: t.String(),
    code: t.String(),
    request_id: t.String(),
    errors: t.Optional(t.Array(t.Object({ path: t.String(), message: t.String() }))),
  },
  { description: "RFC 9457 problem details" },
);

/** Problem responses shared by every route, for the OpenAPI document. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));

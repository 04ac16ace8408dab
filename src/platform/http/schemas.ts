import { t } from "elysia";

/** Shared TypeBox building blocks for API schemas. */

export const IsoTimestamp = t.String({
  format: "date-time",
  examples: ["2026-11-21T10:15:30.123Z"],
});
export const NullableIsoTimestamp = t.Union([IsoTimestamp, t.Null()]);

// Digits checked by pattern: Elysia's t.Integer range-checks after converting the string and its
// 422 then loses the parameter's name (path "/", "Invalid field property").
export const IdParam = t.Object({
  id: t
    .Transform(
      t.String({
        pattern: "^[1-9][0-9]{0,14}$",
        error: "Must be a positive whole number",
        description: "Resource id",
      }),
    )
    .Decode((value) => Number(value))
    .Encode((value) => String(value)),
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

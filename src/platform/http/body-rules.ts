import { OptionalKind, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ValidationError } from "elysia";
import { ValidationFailed } from "../errors";
import { BODY_METHODS } from "./request-context";

/** What a route's schema says about its request body. */
export type BodyRule =
  | { kind: "none" }
  | { kind: "optional"; schema: TSchema }
  | { kind: "required" };

const NO_BODY: BodyRule = { kind: "none" };
const REQUIRED: BodyRule = { kind: "required" };

export function bodyRuleOf(schema: unknown): BodyRule {
  if (schema === undefined || schema === null) return NO_BODY;
  if (typeof schema === "object" && OptionalKind in schema) {
    return { kind: "optional", schema: schema as TSchema };
  }
  return REQUIRED;
}

/**
 * What Elysia leaves unchecked. A route without a body schema would take any body and ignore it
 * (a client's mistake passes in silence), so any body is refused. An optional body is validated
 * by Elysia only when it is a non-empty object: `123`, `"x"`, `null`, `[]` or `{}` went through
 * unchecked, so those are checked here against the schema. Bodies of GET and HEAD are never read
 * or parsed (they have no meaning, RFC 9110 section 9.3.1), so they cannot reach a route.
 */
export function enforceBodyRule(rule: BodyRule, request: Request, body: unknown): void {
  if (rule.kind === "required" || !BODY_METHODS.has(request.method) || !sentBody(request)) return;
  if (rule.kind === "none") {
    throw new ValidationFailed("This operation takes no request body", [
      { path: "/", message: "Send no body" },
    ]);
  }
  if (isNonEmptyObject(body) || Value.Check(rule.schema, body)) return;
  throw new ValidationError("body", rule.schema, body);
}

function sentBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  // Without a length (chunked, or a Request built in-process) the body stream tells.
  return length === null ? request.body !== null : Number(length) > 0;
}

/** Elysia's own test for an optional body that it validates. */
function isNonEmptyObject(body: unknown): boolean {
  return typeof body === "object" && body !== null && Object.keys(body).length > 0;
}

import { Elysia, ValidationError } from "elysia";
import {
  AppError,
  type FieldError,
  MethodNotAllowed,
  NotFound,
  PROBLEM_TYPES,
  type ProblemCode,
  ValidationFailed,
} from "../errors";
import type { Logger } from "../logging";
import { createAllowedMethods, type RouteTemplate } from "./allowed-methods";
import { MALFORMED_JSON } from "./request-body";
import { pathOf, requestState } from "./request-context";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ProblemCode;
  request_id: string;
  errors?: FieldError[];
}

/** Turns every error, ours, Elysia's or unexpected, into an RFC 9457 problem response. */
export function errorHandler(log: Logger) {
  const plugin = new Elysia();
  const describeMiss = unmatchedRequests(plugin);
  return plugin
    .onTransform({ as: "global" }, ({ body }) => refuseUnsafeBody(body))
    .onError({ as: "global" }, ({ code, error: thrown, request, set }) => {
      const state = requestState(request);
      const path = pathOf(request.url);
      const error = code === "NOT_FOUND" ? describeMiss(request.method, path) : thrown;
      const problem = toProblemSafely(code, error, path, state.id);
      if (problem.status >= 500 && error instanceof AppError) {
        // An expected outage (e.g. 503 from /ready): worth a line, not a stack trace.
        log.warn(error.detail, { request_id: state.id, status: problem.status });
      } else if (problem.status >= 500) {
        log.error("unhandled error", { request_id: state.id, ...describeCrash(error) });
      }
      set.status = problem.status;
      const headers = error instanceof AppError ? error.headers : undefined;
      return problemResponse(problem, { ...(set.headers as Record<string, string>), ...headers });
    });
}

/**
 * A request that no route matched: 405 with `Allow` when its path is a route template for other
 * methods, else 404. This is decided by the templates alone, before authentication: it says no
 * more than the OpenAPI document does, and the same for every caller and every id.
 *
 * The templates are those of the app this plugin is mounted in (Elysia wires `getGlobalRoutes`
 * to the root app on `use`), indexed at the first miss and again only if routes were added.
 */
function unmatchedRequests(plugin: Elysia) {
  let indexed = -1;
  let allowedMethods = createAllowedMethods([]);
  return (method: string, path: string): AppError => {
    const routes = (plugin as unknown as { getGlobalRoutes(): RouteTemplate[] }).getGlobalRoutes();
    if (routes.length !== indexed) {
      allowedMethods = createAllowedMethods(routes);
      indexed = routes.length;
    }
    const allow = allowedMethods(path);
    return allow.length > 0
      ? new MethodNotAllowed(method, allow)
      : new NotFound(`No route for ${path}`);
  };
}

/**
 * What to log about an unexpected error. drizzle's query errors carry the bound parameters in
 * their message (password and token hashes, emails): log the SQL text and the driver's own error
 * instead, never the parameters.
 */
export function describeCrash(error: unknown): Record<string, string | undefined> {
  if (!(error instanceof Error)) return { error: String(error) };
  const { query, cause } = error as { query?: unknown; cause?: unknown };
  if (typeof query === "string") {
    const driver = cause instanceof Error ? cause : undefined;
    return {
      error: driver ? `${driver.name}: ${driver.message}` : error.name,
      query,
      stack: driver?.stack,
    };
  }
  return { error: `${error.name}: ${error.message}`, stack: error.stack };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { ...headers, "content-type": "application/problem+json" },
  });
}

// Two kinds of JSON body break Elysia's validation itself, so they are refused before it runs,
// as invalid input. Its error messages interpolate the offending value into a string, which
// throws for an object with its own `toString` or `valueOf` key (no schema has such a field).
// And validating and describing a deeply nested value recurses: a 400 kB body of nested arrays
// took seconds of CPU and ended in a stack overflow. No schema nests more than a few levels.
const CONVERSION_KEYS = new Set(["toString", "valueOf"]);
export const MAX_BODY_DEPTH = 32;

function refuseUnsafeBody(body: unknown): void {
  const pending: [unknown, string, number][] = [[body, "", 0]];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const [value, path, depth] = item;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw new ValidationFailed(`The body is nested more than ${MAX_BODY_DEPTH} levels deep`, [
        { path: path || "/", message: "Nested too deeply" },
      ]);
    }
    for (const [key, child] of Object.entries(value)) {
      const pointer = `${path}/${key}`;
      if (CONVERSION_KEYS.has(key)) {
        throw new ValidationFailed(
          `Invalid field ${pointer.slice(1)}: Unknown or read-only field`,
          [{ path: pointer, message: "Unknown or read-only field" }],
        );
      }
      pending.push([child, pointer, depth + 1]);
    }
  }
}

/** A failure while describing an error must still produce a response, never escape. */
function toProblemSafely(
  code: string | number,
  error: unknown,
  instance: string,
  requestId: string,
): Problem {
  try {
    return toProblem(code, error, instance, requestId);
  } catch (failure) {
    return toProblem("UNKNOWN", failure, instance, requestId);
  }
}

function toProblem(
  code: string | number,
  error: unknown,
  instance: string,
  requestId: string,
): Problem {
  const base = { type: "about:blank", instance, request_id: requestId };
  if (error instanceof AppError) {
    return {
      ...base,
      title: error.title,
      status: error.status,
      detail: error.detail,
      code: error.code,
      ...(error.errors ? { errors: error.errors } : {}),
      ...error.extensions,
    };
  }
  // A response that fails its own schema is our bug, not the client's: it falls through to 500.
  const isResponseCheck = error instanceof ValidationError && error.type === "response";
  if ((error instanceof ValidationError || code === "VALIDATION") && !isResponseCheck) {
    const errors = validationErrors(error);
    return {
      ...base,
      title: "Unprocessable Content",
      status: 422,
      detail: describeValidation(error, errors),
      code: "validation_error",
      errors,
    };
  }
  if (code === "PARSE") {
    return {
      ...base,
      title: "Bad Request",
      status: 400,
      detail: MALFORMED_JSON,
      code: "bad_request",
    };
  }
  // Elysia reports some client errors (e.g. a bad status thrown by a plugin) with a status.
  const status = isResponseCheck ? undefined : statusOf(error);
  const known = status && status >= 400 && status < 500 ? PROBLEM_TYPES[status] : undefined;
  if (status && known) {
    return { ...base, title: known.title, status, detail: known.title, code: known.code };
  }
  return {
    ...base,
    title: "Internal Server Error",
    status: 500,
    detail: "Something went wrong on our side; the request id identifies it in the logs",
    code: "internal_server_error",
  };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { status?: unknown; code?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

function validationErrors(error: unknown): FieldError[] {
  if (!(error instanceof ValidationError)) return [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of error.all) {
    const path = "path" in issue && typeof issue.path === "string" ? issue.path || "/" : "/";
    const message =
      "message" in issue && typeof issue.message === "string" ? friendly(issue) : "Invalid value";
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ path, message });
  }
  return errors;
}

// TypeBox's own wording for the common cases, made readable for API clients.
function friendly(issue: {
  message: string;
  schema?: unknown;
  value?: unknown;
  path?: string;
}): string {
  const schema = (issue.schema ?? {}) as { error?: unknown; additionalProperties?: unknown };
  if (typeof schema.error === "string") return schema.error;
  if (issue.message === "Unexpected property") return "Unknown or read-only field";
  if (issue.message === "Expected required property") return "Required";
  return issue.message;
}

function describeValidation(error: unknown, errors: FieldError[]): string {
  const where = error instanceof ValidationError ? error.type : "request";
  const place =
    where === "query" ? "query parameter" : where === "params" ? "path parameter" : "field";
  const first = errors[0];
  if (!first) return "The request is not valid";
  const name = first.path.replace(/^\//, "") || where;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `Invalid ${place} ${name}: ${first.message}${more}`;
}

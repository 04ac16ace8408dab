/**
 * The application's error family. Services throw these; the HTTP error handler turns each into
 * an RFC 9457 problem body. Anything else that is thrown is answered as a generic 500.
 */

export interface FieldError {
  path: string;
  message: string;
}

export type ProblemCode =
  | "bad_request"
  | "unauthorized_error"
  | "forbidden_access"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "gone"
  | "precondition_failed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "validation_error"
  | "too_many_requests"
  | "internal_server_error"
  | "service_unavailable";

/** The title and stable code of each status the API answers with a problem. */
export const PROBLEM_TYPES: Record<number, { title: string; code: ProblemCode }> = {
  400: { title: "Bad Request", code: "bad_request" },
  401: { title: "Unauthorized", code: "unauthorized_error" },
  403: { title: "Forbidden", code: "forbidden_access" },
  404: { title: "Not Found", code: "not_found" },
  405: { title: "Method Not Allowed", code: "method_not_allowed" },
  409: { title: "Conflict", code: "conflict" },
  410: { title: "Gone", code: "gone" },
  412: { title: "Precondition Failed", code: "precondition_failed" },
  413: { title: "Content Too Large", code: "payload_too_large" },
  415: { title: "Unsupported Media Type", code: "unsupported_media_type" },
  422: { title: "Unprocessable Content", code: "validation_error" },
  429: { title: "Too Many Requests", code: "too_many_requests" },
  500: { title: "Internal Server Error", code: "internal_server_error" },
  503: { title: "Service Unavailable", code: "service_unavailable" },
};

export class AppError extends Error {
  readonly title: string;
  /** Extra members for the problem body (RFC 9457 extensions). */
  extensions?: Record<string, string>;
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = new.target.name;
    this.title = PROBLEM_TYPES[status]?.title ?? "Error";
  }
}

export class BadRequest extends AppError {
  constructor(detail: string) {
    super(400, "bad_request", detail);
  }
}

export class Unauthenticated extends AppError {
  constructor(detail = "Authentication required") {
    super(401, "unauthorized_error", detail, undefined, { "www-authenticate": "Bearer" });
  }
}

export class Forbidden extends AppError {
  constructor(detail = "You are not allowed to do this") {
    super(403, "forbidden_access", detail);
  }
}

export class NotFound extends AppError {
  constructor(detail = "Not found") {
    super(404, "not_found", detail);
  }
}

/** The path exists but not for this method; `allow` lists the methods it takes. */
export class MethodNotAllowed extends AppError {
  constructor(method: string, allow: readonly string[]) {
    super(
      405,
      "method_not_allowed",
      `${method} is not supported here; this path takes ${allow.join(", ")}`,
      undefined,
      { allow: allow.join(", ") },
    );
  }
}

export class Conflict extends AppError {
  constructor(detail: string) {
    super(409, "conflict", detail);
  }
}

export class Gone extends AppError {
  constructor(detail: string) {
    super(410, "gone", detail);
  }
}

export class PreconditionFailed extends AppError {
  constructor(detail = "The resource has changed since you last read it") {
    super(412, "precondition_failed", detail);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(limitBytes: number) {
    // The rest of the body is never read: closing the connection stops the client sending it.
    super(413, "payload_too_large", `Request body is larger than ${limitBytes} bytes`, undefined, {
      connection: "close",
    });
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(detail: string) {
    super(415, "unsupported_media_type", detail);
  }
}

export class ValidationFailed extends AppError {
  constructor(detail: string, errors: FieldError[]) {
    super(422, "validation_error", detail, errors);
  }
}

export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number, detail = "Too many requests, slow down") {
    super(429, "too_many_requests", detail, undefined, {
      "retry-after": String(retryAfterSeconds),
    });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(detail = "Service unavailable") {
    super(503, "service_unavailable", detail);
  }
}

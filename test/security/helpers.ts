import { expect } from "bun:test";

/** The RFC 9457 members every problem body carries, and what API.md adds to them. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  request_id: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

/**
 * Why a response is not a well-formed problem for its status, or null if it is. Returned rather
 * than thrown so fuzz tests can report the input that broke it.
 */
export function problemDefect(response: Response, text: string): string | null {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) return `content-type ${type}`;
  let body: ProblemBody;
  try {
    body = JSON.parse(text) as ProblemBody;
  } catch {
    return `body is not JSON: ${text.slice(0, 200)}`;
  }
  for (const member of ["type", "title", "detail", "instance", "code", "request_id"] as const) {
    if (typeof body[member] !== "string" || body[member] === "") return `no ${member}: ${text}`;
  }
  if (body.status !== response.status) return `status ${body.status} in body: ${text}`;
  if (body.request_id !== response.headers.get("x-request-id")) return `request_id: ${text}`;
  if (body.errors !== undefined && !Array.isArray(body.errors)) return `errors: ${text}`;
  if (/\bat \S+:\d+|SQLITE|stack/i.test(text)) return `leaks internals: ${text}`;
  return null;
}

/** Asserts a 401 problem with the Bearer challenge, as every refused token must get. */
export async function expectUnauthorized(response: Response): Promise<ProblemBody> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: 401 });
  expect(problemDefect(response, text)).toBeNull();
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
  const body = JSON.parse(text) as ProblemBody;
  expect(body.code).toBe("unauthorized_error");
  return body;
}

/** A response reduced to what a client could compare: status, headers and body, minus ids. */
export async function observable(response: Response) {
  const headers = Object.fromEntries(
    [...response.headers.entries()].filter(
      ([name]) => !["x-request-id", "date", "content-length"].includes(name),
    ),
  );
  const text = await response.text();
  let body: unknown = text;
  try {
    const { request_id: _id, ...rest } = JSON.parse(text) as Record<string, unknown>;
    body = rest;
  } catch {
    // Not JSON: compared as text.
  }
  return { status: response.status, headers, body };
}

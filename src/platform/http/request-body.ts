import { BadRequest, PayloadTooLarge } from "../errors";

export const MALFORMED_JSON = "The request body is not valid JSON";
const INVALID_UTF8 = "The request body is not valid UTF-8";
const CUT_SHORT = "The request body ended before it was complete";

// `fatal`: a JSON text must be UTF-8 (RFC 8259), and a lenient decoder would store U+FFFD in
// place of every broken sequence. One instance is enough: `decode` without `stream` keeps no state.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The declared Content-Length, checked against the limit from the header alone, whatever its size,
 * so that nothing of an oversized body is read. null when the body is not declared (chunked).
 */
export function declaredLength(request: Request, limit: number): number | null {
  const declared = request.headers.get("content-length");
  if (declared === null) return null;
  if (!/^\d+$/.test(declared.trim())) throw new BadRequest("Invalid Content-Length header");
  const length = Number(declared);
  if (length > limit) throw new PayloadTooLarge(limit);
  return length;
}

/**
 * Reads a request's body whose length the client declared (and declaredLength checked against the
 * limit). The runtime reads exactly that many bytes natively, without a stream reader in
 * JavaScript: the framing is Content-Length, so the body cannot run past it.
 */
export async function readDeclaredBody(request: Request): Promise<Uint8Array> {
  try {
    return await request.bytes();
  } catch {
    // The client hung up before sending all it declared.
    throw new BadRequest(CUT_SHORT);
  }
}

/**
 * Reads a request's own body stream into memory, at most `limit` bytes. Past the limit it stops
 * reading and throws 413, whose response closes the connection, so the rest is never received
 * and nothing of it is kept. (A copy made with `request.clone()` tees the stream: the untouched
 * branch buffers everything read, and cancelling the copy left the response unsent.)
 */
export async function readBodyWithin(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch {
      // Only the client breaks a body stream: it hung up mid-upload or sent malformed chunked
      // framing. Its fault, so a 400 (which it will likely never read), never a 500.
      throw new BadRequest(CUT_SHORT);
    }
    if (step.done) break;
    size += step.value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLarge(limit);
    }
    chunks.push(step.value);
  }
  return joinChunks(chunks, size);
}

/**
 * Parses a body read by `readBodyWithin` (a form, or else JSON under any JSON media type) and
 * hands it to Elysia's own parser. That parser picks a reader by the media type's name and calls
 * `request.json()` or `request.text()` on a stream already consumed here: the request answers
 * those calls with this result instead, and names its media type canonically so that the choice
 * is JSON for every `application/*+json` type and for any spelling. (An onParse hook would
 * replace Elysia's parser more openly, but @elysiajs/openapi then documents no request body.)
 * An empty body is no body: the route sees none, whether it was declared or chunked.
 */
export function handOverBody(request: Request, bytes: Uint8Array, isForm: boolean): void {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BadRequest(INVALID_UTF8);
  }
  const parsed = isForm || text === "" ? undefined : parseJson(text);
  Object.defineProperties(request, {
    json: { value: () => Promise.resolve(parsed) },
    text: { value: () => Promise.resolve(text) },
  });
  // Most requests already carry these exact values; the headers are written only when they differ.
  setHeader(
    request,
    "content-type",
    isForm ? "application/x-www-form-urlencoded" : "application/json",
  );
  // What was read, declared: an empty chunked body is then no body, as `Content-Length: 0` is.
  setHeader(request, "content-length", String(bytes.byteLength));
}

function setHeader(request: Request, name: string, value: string): void {
  if (request.headers.get(name) !== value) request.headers.set(name, value);
}

const MALFORMED_FORM = "The request body is not a valid multipart form";

/** A multipart form's text fields, form-encoded (files are dropped). */
export async function urlEncodedForm(request: Request, bytes: Uint8Array): Promise<Uint8Array> {
  const headers = { "content-type": request.headers.get("content-type") ?? "" };
  const form = await new Response(bytes, { headers }).formData().catch(() => {
    throw new BadRequest(MALFORMED_FORM);
  });
  const fields = new URLSearchParams();
  form.forEach((value, name) => {
    if (typeof value === "string") fields.append(name, value);
  });
  return new TextEncoder().encode(fields.toString());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest(MALFORMED_JSON);
  }
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

import { and, eq, lte } from "drizzle-orm";
import type { ActorContext } from "../../platform/context";
import { idempotencyKeys } from "../../platform/db/tables";
import { Conflict, ValidationFailed } from "../../platform/errors";

/** How long a key is remembered, per the API contract. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** A claim with no answer after this long belongs to a request that died; a retry takes it over. */
const ABANDONED_AFTER_MS = 60_000;

/** Response headers worth replaying; the rest (request id, dates) belong to each answer. */
const REPLAYED_HEADERS = ["location", "etag", "content-type"];

export interface IdempotentCall {
  key: string;
  method: string;
  path: string;
  body: unknown;
}

/** The part of Elysia's `set` a handler uses to shape its answer. */
export interface ResponseShape {
  status?: number | string;
  headers: Record<string, string | number | undefined>;
}

/**
 * Runs `handle` at most once per user and Idempotency-Key. A retry with the same key and body
 * replays the first answer (status, headers and body) without running anything; the same key
 * with another request is a client bug (422); a retry while the first is still running is 409.
 * Any POST route can opt in by wrapping its work in this function.
 */
export async function runIdempotent<T>(
  { deps, actor }: ActorContext,
  call: IdempotentCall,
  set: ResponseShape,
  handle: () => T | Promise<T>,
): Promise<T | Response> {
  const now = deps.clock.now();
  const requestHash = hashRequest(call);
  const scope = and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, call.key));

  const claimed = await deps.sql.transaction(async () => {
    // Expired records are dead: clear them here so a scheduler is not required for correctness.
    await deps.db
      .delete(idempotencyKeys)
      .where(and(scope, lte(idempotencyKeys.expiresAt, now)))
      .run();
    const existing = await deps.db.select().from(idempotencyKeys).where(scope).get();
    const abandoned =
      existing?.responseStatus === null &&
      existing.requestHash === requestHash &&
      existing.createdAt <= now - ABANDONED_AFTER_MS;
    if (existing && !abandoned) return existing;
    // A first attempt that never recorded its answer (the process died mid-request) is retried.
    if (abandoned) await deps.db.delete(idempotencyKeys).where(scope).run();
    await deps.db
      .insert(idempotencyKeys)
      .values({
        userId: actor.userId,
        key: call.key,
        method: call.method,
        path: call.path,
        requestHash,
        createdAt: now,
        expiresAt: now + IDEMPOTENCY_TTL_MS,
      })
      .run();
    return null;
  });

  if (claimed) {
    if (claimed.requestHash !== requestHash) {
      throw new ValidationFailed("This Idempotency-Key was already used for a different request", [
        {
          path: "/headers/idempotency-key",
          message: "Already used with another body; use a new key",
        },
      ]);
    }
    if (claimed.responseStatus === null) {
      throw new Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly",
      );
    }
    // Logs and metrics see what the client sees.
    set.status = claimed.responseStatus;
    return replay(claimed.responseStatus, claimed.responseHeaders, claimed.responseBody);
  }

  let result: T;
  try {
    result = await handle();
  } catch (error) {
    // A failed attempt is not remembered: the client may retry it with the same key.
    await deps.db.delete(idempotencyKeys).where(scope).run();
    throw error;
  }
  const status = typeof set.status === "number" ? set.status : 200;
  const headers = Object.fromEntries(
    REPLAYED_HEADERS.flatMap((name) =>
      set.headers[name] === undefined ? [] : [[name, String(set.headers[name])]],
    ),
  );
  await deps.db
    .update(idempotencyKeys)
    .set({
      responseStatus: status,
      responseHeaders: JSON.stringify(headers),
      responseBody: JSON.stringify(result),
    })
    .where(scope)
    .run();
  return result;
}

function replay(status: number, headers: string | null, body: string | null): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "application/json;charset=utf-8",
      ...(headers ? (JSON.parse(headers) as Record<string, string>) : {}),
      "idempotent-replayed": "true",
    },
  });
}

/** SHA-256 over method, path and the body in a key-order-independent form. */
function hashRequest(call: IdempotentCall): string {
  return new Bun.CryptoHasher("sha256")
    .update(`${call.method} ${call.path}\n${canonicalJson(call.body)}`)
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

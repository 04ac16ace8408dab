import type { ActorContext } from "../../platform/context";
import { Conflict, ValidationFailed } from "../../platform/errors";

/** How long a key is remembered, per the API contract. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** A claim with no answer after this long belongs to a request that died; a retry takes it over. */
const ABANDONED_AFTER_MS = 60_000;

const IN_PROGRESS = "A request with this Idempotency-Key is still being processed; retry shortly";

/** Response headers worth replaying; the rest (request id, dates) belong to each answer. */
const REPLAYED_HEADERS = ["location", "etag", "content-type"];

interface StoredKey {
  request_hash: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: number;
}

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
  const scope = [actor.userId, call.key];
  const forget = () =>
    deps.sql.run("DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?", scope);

  const claimed = await deps.sql.transaction(async () => {
    // Expired records are dead: clear them here so a scheduler is not required for correctness.
    await deps.sql.run(
      "DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND expires_at <= ?",
      [...scope, now],
    );
    const existing = await deps.sql.get<StoredKey>(
      `SELECT request_hash, response_status, response_headers, response_body, created_at
       FROM idempotency_keys WHERE user_id = ? AND key = ?`,
      scope,
    );
    const abandoned =
      existing?.response_status === null &&
      existing.request_hash === requestHash &&
      existing.created_at <= now - ABANDONED_AFTER_MS;
    if (existing && !abandoned) return existing;
    // A first attempt that never recorded its answer (the process died mid-request) is retried.
    if (abandoned) await forget();
    // The claim is atomic across instances: the transaction holds the write lock (decision
    // 016), and a row that got in anyway makes the insert a no-op rather than a second run.
    const claim = await deps.sql.run(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, created_at,
         expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, key) DO NOTHING`,
      [actor.userId, call.key, call.method, call.path, requestHash, now, now + IDEMPOTENCY_TTL_MS],
    );
    if (claim.changes === 0) throw new Conflict(IN_PROGRESS);
    return null;
  });

  if (claimed) {
    if (claimed.request_hash !== requestHash) {
      throw new ValidationFailed("This Idempotency-Key was already used for a different request", [
        {
          path: "/headers/idempotency-key",
          message: "Already used with another body; use a new key",
        },
      ]);
    }
    if (claimed.response_status === null) {
      throw new Conflict(IN_PROGRESS);
    }
    // Logs and metrics see what the client sees.
    set.status = claimed.response_status;
    return replay(claimed.response_status, claimed.response_headers, claimed.response_body);
  }

  let result: T;
  try {
    result = await handle();
  } catch (error) {
    // A failed attempt is not remembered: the client may retry it with the same key.
    await forget();
    throw error;
  }
  const status = typeof set.status === "number" ? set.status : 200;
  const headers = Object.fromEntries(
    REPLAYED_HEADERS.flatMap((name) =>
      set.headers[name] === undefined ? [] : [[name, String(set.headers[name])]],
    ),
  );
  await deps.sql.run(
    `UPDATE idempotency_keys SET response_status = ?, response_headers = ?, response_body = ?
     WHERE user_id = ? AND key = ?`,
    [status, JSON.stringify(headers), JSON.stringify(result), ...scope],
  );
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

import { t } from "elysia";
import { Text } from "../../platform/http/schemas";

/** Header schema for routes that accept an Idempotency-Key. */
export const IdempotencyKeyHeader = t.Object({
  "idempotency-key": t.Optional(
    Text({
      minLength: 1,
      maxLength: 255,
      pattern: "^[\\x21-\\x7E]+$",
      error: "Must be 1–255 visible ASCII characters, e.g. a UUID",
      description:
        "Makes the request safe to retry: a retry within 24 h replays the first response",
    }),
  ),
});

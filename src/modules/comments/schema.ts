import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import {
  component,
  IsoTimestamp,
  NullableIsoTimestamp,
  Strict,
  Text,
} from "../../platform/http/schemas";

export const MAX_COMMENT_LENGTH = 10_000;

const Body = Text({
  minLength: 1,
  maxLength: MAX_COMMENT_LENGTH,
  trimmed: true,
  description: `1–${MAX_COMMENT_LENGTH.toLocaleString("en-US")} characters; surrounding whitespace is trimmed (and not counted)`,
});

export const CommentBody = component("CommentBody", t.Object({ body: Body }, Strict));

export const CommentResponse = component(
  "Comment",
  t.Object({
    id: Type.Integer(),
    task_id: Type.Integer(),
    author: t.Object({ id: Type.Integer(), username: t.String() }),
    body: t.String(),
    created_at: IsoTimestamp,
    updated_at: IsoTimestamp,
    edited_at: NullableIsoTimestamp,
  }),
);

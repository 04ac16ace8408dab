import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { PageQueryFields } from "../../platform/http/pagination";
import {
  component,
  IsoTimestamp,
  MAX_ID,
  NullableIsoTimestamp,
  Strict,
  Text,
  WholeNumber,
} from "../../platform/http/schemas";
import { DATE_PATTERN, DATE_TIME_PATTERN } from "./dates";

export const MAX_TAGS = 20;
export const SORT_FIELDS = [
  "created_at",
  "updated_at",
  "due_date",
  "priority",
  "title",
  "position",
] as const;

export const MAX_TITLE_LENGTH = 200;
const Title = Text({
  minLength: 1,
  maxLength: MAX_TITLE_LENGTH,
  trimmed: true,
  description: `1–${MAX_TITLE_LENGTH} characters; surrounding whitespace is trimmed (and not counted)`,
});
const Description = Text({ maxLength: 10_000 });
// Body numbers use TypeBox's plain Integer: Elysia's `t.Integer` also accepts numeric strings ("2").
const Priority = Type.Integer({
  minimum: 0,
  maximum: 4,
  error: "Must be a whole number from 0 to 4",
});
const Tags = t.Array(
  Text({
    minLength: 1,
    maxLength: 32,
    pattern: "\\S",
    error: "Each tag must be 1–32 characters",
  }),
  {
    maxItems: MAX_TAGS,
    error: `At most ${MAX_TAGS} tags of 1–32 characters each`,
  },
);
const DueDate = t.Union(
  [
    t.String({ format: "date-time", pattern: DATE_TIME_PATTERN }),
    t.String({ format: "date", pattern: DATE_PATTERN }),
    t.Null(),
  ],
  { error: "Must be an ISO 8601 date or date-time, or null", examples: ["2026-12-01T17:00:00Z"] },
);
const Position = t.Number({ minimum: -1e12, maximum: 1e12, error: "Must be a number" });
const ForeignId = t.Union([Type.Integer({ minimum: 1 }), t.Null()], {
  error: "Must be a positive id or null",
});

const writableFields = {
  title: Title,
  description: Description,
  completed: t.Boolean({ error: "Must be true or false" }),
  due_date: DueDate,
  priority: Priority,
  tags: Tags,
  position: Position,
  list_id: ForeignId,
  assignee_id: ForeignId,
};

export const CreateTaskBody = component(
  "CreateTaskBody",
  t.Object(
    {
      title: Title,
      description: t.Optional(Description),
      completed: t.Optional(writableFields.completed),
      due_date: t.Optional(DueDate),
      priority: t.Optional(Priority),
      tags: t.Optional(Tags),
      position: t.Optional(Position),
      list_id: t.Optional(ForeignId),
      assignee_id: t.Optional(ForeignId),
    },
    Strict,
  ),
);

export const UpdateTaskBody = component(
  "UpdateTaskBody",
  t.Partial(t.Object(writableFields), {
    ...Strict,
    description: "Any writable field; fields left out are unchanged",
  }),
);

// Plain TypeBox integers: Elysia's t.Integer also accepts numeric strings, which turns every
// response check into a full encode pass on the hottest route.
export const TaskResponse = component(
  "Task",
  t.Object({
    id: Type.Integer(),
    title: t.String(),
    description: t.String(),
    completed: t.Boolean(),
    completed_at: NullableIsoTimestamp,
    due_date: NullableIsoTimestamp,
    priority: Type.Integer(),
    tags: t.Array(t.String()),
    position: t.Number(),
    board_id: t.Union([Type.Integer(), t.Null()]),
    list_id: t.Union([Type.Integer(), t.Null()]),
    assignee_id: t.Union([Type.Integer(), t.Null()]),
    owner_id: Type.Integer(),
    created_at: IsoTimestamp,
    updated_at: IsoTimestamp,
    version: Type.Integer(),
  }),
);

const BooleanQuery = t.Boolean({ error: "Must be true or false" });
const DateQuery = t.Union(
  [
    t.String({ format: "date-time", pattern: DATE_TIME_PATTERN }),
    t.String({ format: "date", pattern: DATE_PATTERN }),
  ],
  { error: "Must be an ISO 8601 date or date-time" },
);

const IdQuery = WholeNumber({ minimum: 1, maximum: MAX_ID, error: "Must be a positive id" });

export const ListTasksQuery = t.Object(
  {
    ...PageQueryFields,
    completed: t.Optional(BooleanQuery),
    priority: t.Optional(WholeNumber({ minimum: 0, maximum: 4 })),
    tag: t.Optional(Text({ minLength: 1, maxLength: 32 })),
    due_before: t.Optional(DateQuery),
    due_after: t.Optional(DateQuery),
    overdue: t.Optional(BooleanQuery),
    board_id: t.Optional(IdQuery),
    list_id: t.Optional(IdQuery),
    assignee_id: t.Optional(
      t.Union([IdQuery, t.Literal("me")], {
        error: "Must be a positive id or me",
        description: "A user id, or `me`",
      }),
    ),
    q: t.Optional(Text({ minLength: 1, maxLength: 1000 })),
    sort: t.Optional(
      t.Union(
        SORT_FIELDS.flatMap((field) => [t.Literal(field), t.Literal(`-${field}`)]),
        { error: `Must be one of ${SORT_FIELDS.join(", ")}, optionally prefixed with -` },
      ),
    ),
  },
  {
    ...Strict,
    description: "Unknown query parameters are rejected (422), so a misspelt filter is noticed",
  },
);

export const DeletedCount = component("DeletedCount", t.Object({ deleted: t.Integer() }));

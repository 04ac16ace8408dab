import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { PageQueryFields } from "../../platform/http/pagination";
import {
  component,
  IdParam,
  IsoTimestamp,
  MAX_ID,
  Strict,
  Text,
  WholeNumber,
} from "../../platform/http/schemas";
import { CommentResponse } from "../comments/schema";
import { TaskResponse } from "../tasks/schema";

export const MAX_BOARD_NAME = 100;
export const MAX_BOARD_DESCRIPTION = 2000;
export const MAX_LIST_NAME = 100;

const BoardName = Text({
  minLength: 1,
  maxLength: MAX_BOARD_NAME,
  trimmed: true,
  description: `1–${MAX_BOARD_NAME} characters; surrounding whitespace is trimmed (and not counted)`,
});
const BoardDescription = Text({ maxLength: MAX_BOARD_DESCRIPTION });
const ListName = Text({
  minLength: 1,
  maxLength: MAX_LIST_NAME,
  trimmed: true,
  description: `1–${MAX_LIST_NAME} characters; surrounding whitespace is trimmed (and not counted)`,
});
const Index = Type.Integer({
  minimum: 0,
  maximum: 1e12,
  error: "Must be a whole number from 0",
  description: "0-based index among the board's lists; past the end appends",
});

const MemberRole = t.Union([t.Literal("owner"), t.Literal("editor"), t.Literal("viewer")], {
  error: "Must be owner, editor or viewer",
});

export const MemberParams = t.Object({
  ...IdParam.properties,
  user_id: WholeNumber({
    minimum: 1,
    maximum: MAX_ID,
    error: "Must be a positive whole number",
    description: "The member's user id",
  }),
});

export const CreateBoardBody = component(
  "CreateBoardBody",
  t.Object({ name: BoardName, description: t.Optional(BoardDescription) }, Strict),
);

export const UpdateBoardBody = component(
  "UpdateBoardBody",
  t.Object(
    { name: t.Optional(BoardName), description: t.Optional(BoardDescription) },
    { ...Strict, description: "Fields left out are unchanged" },
  ),
);

const boardFields = {
  id: Type.Integer(),
  name: t.String(),
  description: t.String(),
  owner_id: Type.Integer(),
  role: MemberRole,
  created_at: IsoTimestamp,
  updated_at: IsoTimestamp,
  version: Type.Integer({
    description: "Revision of the board with its lists, cards and members",
  }),
};

export const BoardResponse = component(
  "Board",
  t.Object(boardFields, { description: "A board; `role` is the caller's" }),
);

const listFields = {
  id: Type.Integer(),
  board_id: Type.Integer(),
  name: t.String(),
  position: Type.Integer({ description: "0-based index among the board's lists" }),
  created_at: IsoTimestamp,
  updated_at: IsoTimestamp,
};

export const ListResponse = component("List", t.Object(listFields));

export const MemberResponse = component(
  "Member",
  t.Object({
    user_id: Type.Integer(),
    username: t.String(),
    full_name: t.Union([t.String(), t.Null()]),
    role: MemberRole,
    added_at: IsoTimestamp,
  }),
);

export const BoardDetailResponse = component(
  "BoardDetail",
  t.Object(
    {
      ...boardFields,
      lists: t.Array(
        t.Object({
          ...listFields,
          cards: t.Array(TaskResponse, { description: "The list's cards in order" }),
        }),
        { description: "The board's lists in order" },
      ),
      members: t.Array(MemberResponse),
    },
    { description: "A board with its lists (each with its cards) and its members" },
  ),
);

export const CreateListBody = component(
  "CreateListBody",
  t.Object({ name: ListName, position: t.Optional(Index) }, Strict),
);

export const UpdateListBody = component(
  "UpdateListBody",
  t.Object(
    { name: t.Optional(ListName), position: t.Optional(Index) },
    { ...Strict, description: "Rename and/or move the list; fields left out are unchanged" },
  ),
);

export const DeleteListQuery = t.Object(
  {
    cascade: t.Optional(
      t.Boolean({
        error: "Must be true or false",
        description: "Also delete the list's cards (without it, a list with cards is 409)",
      }),
    ),
  },
  Strict,
);

export const AddMemberBody = component(
  "AddMemberBody",
  t.Object(
    {
      user: Text({
        minLength: 1,
        maxLength: 254,
        trimmed: true,
        description: "Username or email address of an existing account",
      }),
      role: t.Union([t.Literal("editor"), t.Literal("viewer")], {
        error: "Must be editor or viewer",
      }),
    },
    Strict,
  ),
);

export const UpdateMemberBody = component(
  "UpdateMemberBody",
  t.Object(
    { role: MemberRole },
    {
      ...Strict,
      description: "`owner` hands the board over: the current owner becomes an editor",
    },
  ),
);

export const ActivityEntryResponse = component(
  "ActivityEntry",
  t.Object({
    id: Type.Integer(),
    board_id: Type.Integer(),
    actor: t.Union([t.Object({ id: Type.Integer(), username: t.String() }), t.Null()], {
      description: "Who made the change; null once their account is deleted",
    }),
    action: t.String({ examples: ["card.moved"] }),
    subject_type: t.Union([
      t.Literal("board"),
      t.Literal("member"),
      t.Literal("list"),
      t.Literal("card"),
      t.Literal("comment"),
    ]),
    subject_id: Type.Integer({ description: "For a member, the user id" }),
    data: t.Object({}, { additionalProperties: true, description: "What changed" }),
    created_at: IsoTimestamp,
  }),
);

export const PageQuery = t.Object(PageQueryFields, Strict);

/** A board as an account export holds it: everything on it, each card with its comments. */
export const ExportedBoard = t.Object({
  ...boardFields,
  lists: t.Array(
    t.Object({
      ...listFields,
      cards: t.Array(t.Composite([TaskResponse, t.Object({ comments: t.Array(CommentResponse) })])),
    }),
  ),
  members: t.Array(MemberResponse),
});

export const ExportedMembership = t.Object({
  board_id: Type.Integer(),
  board_name: t.String(),
  role: MemberRole,
});

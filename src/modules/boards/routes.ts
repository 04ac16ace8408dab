import { t } from "elysia";
import type { Deps } from "../../deps";
import { authGuard } from "../../platform/http/auth";
import { setPageHeaders } from "../../platform/http/pagination";
import { createKeyLimit } from "../../platform/http/rate-limit";
import { createRouter } from "../../platform/http/router";
import { IdParam, problemResponses, Text, withResponseHeaders } from "../../platform/http/schemas";
import { matchesNoneOf } from "../../platform/preconditions";
import { listActivity } from "./activity";
import { createList } from "./lists";
import { addMember, listMembers, removeMember, updateMember } from "./members";
import { boardEtag } from "./present";
import {
  ActivityEntryResponse,
  AddMemberBody,
  BoardDetailResponse,
  BoardResponse,
  CreateBoardBody,
  CreateListBody,
  ListResponse,
  MemberParams,
  MemberResponse,
  PageQuery,
  UpdateBoardBody,
  UpdateMemberBody,
} from "./schema";
import { createBoard, deleteBoard, getBoard, listBoards, updateBoard } from "./service";

/** Member additions per caller per minute: enough for a team, too few to sweep for accounts. */
export const MEMBER_ADDITIONS_PER_MINUTE = 30;

const IfMatchHeaders = t.Object({
  "if-match": t.Optional(Text({ maxLength: 1024, description: "ETag from an earlier read" })),
});

export function boardRoutes(deps: Deps) {
  const limitAdditions = createKeyLimit(deps, {
    max: MEMBER_ADDITIONS_PER_MINUTE,
    windowMs: 60_000,
    prefix: "member-additions:",
    detail: "Too many member additions, slow down",
    name: "member additions limit",
  });

  return createRouter("/boards", "Boards")
    .use(authGuard(deps))
    .post(
      "",
      async ({ actor, body, set, request }) => {
        const board = await createBoard({ deps, actor }, body);
        set.status = 201;
        set.headers.location = `${new URL(request.url).pathname}/${board.id}`;
        set.headers.etag = boardEtag(board);
        return board;
      },
      {
        auth: true,
        body: CreateBoardBody,
        detail: { summary: "Create a board (you become its owner)" },
        response: {
          201: withResponseHeaders(BoardResponse, "ETag", "Location"),
          ...problemResponses(401, 422),
        },
      },
    )
    .get(
      "",
      async ({ actor, query, set, request }) => {
        const page = await listBoards({ deps, actor }, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: true,
        query: PageQuery,
        detail: {
          summary: "List the boards you own or belong to, newest first, with your role",
        },
        response: {
          200: withResponseHeaders(t.Array(BoardResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 422),
        },
      },
    )
    .get(
      "/:id",
      async ({ actor, params, headers, set }) => {
        const board = await getBoard({ deps, actor }, params.id);
        const etag = boardEtag(board);
        set.headers.etag = etag;
        if (matchesNoneOf(headers["if-none-match"], etag)) {
          set.status = 304;
          return undefined;
        }
        return board;
      },
      {
        auth: true,
        params: IdParam,
        headers: t.Object({
          "if-none-match": t.Optional(
            Text({ maxLength: 1024, description: "ETags from earlier reads, or *" }),
          ),
        }),
        detail: {
          summary: "A board with its lists, their cards and its members",
          description:
            "The ETag covers the lists, cards and members too, so If-None-Match gives 304 only while none of them changed.",
        },
        response: {
          200: withResponseHeaders(BoardDetailResponse, "ETag"),
          304: withResponseHeaders(t.Void(), "ETag"),
          ...problemResponses(401, 404),
        },
      },
    )
    .patch(
      "/:id",
      async ({ actor, params, body, headers, set }) => {
        const board = await updateBoard({ deps, actor }, params.id, body, {
          ifMatch: headers["if-match"],
        });
        set.headers.etag = boardEtag(board);
        return board;
      },
      {
        auth: true,
        params: IdParam,
        body: UpdateBoardBody,
        headers: IfMatchHeaders,
        detail: {
          summary: "Rename or re-describe a board (owner)",
          description:
            "If-Match with an ETag from GET /boards/{id} (or an earlier write) that is no longer current is 412.",
        },
        response: {
          200: withResponseHeaders(BoardResponse, "ETag"),
          ...problemResponses(401, 403, 404, 412, 422),
        },
      },
    )
    .delete(
      "/:id",
      async ({ actor, params, headers, set }) => {
        await deleteBoard({ deps, actor }, params.id, { ifMatch: headers["if-match"] });
        set.status = 204;
      },
      {
        auth: true,
        params: IdParam,
        headers: IfMatchHeaders,
        detail: {
          summary: "Delete a board with its lists, cards, comments and activity (owner)",
        },
        response: { 204: t.Void(), ...problemResponses(401, 403, 404, 412) },
      },
    )
    .get(
      "/:id/members",
      async ({ actor, params }) => await listMembers({ deps, actor }, params.id),
      {
        auth: true,
        params: IdParam,
        detail: { summary: "The board's members and their roles" },
        response: { 200: t.Array(MemberResponse), ...problemResponses(401, 404) },
      },
    )
    .post(
      "/:id/members",
      async ({ actor, params, body, set }) => {
        // Awaited only when shared: in memory the limit is decided (or thrown) synchronously.
        const limited = limitAdditions(String(actor.userId), set.headers);
        if (limited) await limited;
        const member = await addMember({ deps, actor }, params.id, body);
        set.status = 201;
        return member;
      },
      {
        auth: true,
        params: IdParam,
        body: AddMemberBody,
        detail: {
          summary: "Add a member by username or email (owner)",
          description: `An unknown account is 404, one already on the board 409. Each caller may try ${MEMBER_ADDITIONS_PER_MINUTE} additions a minute (429 beyond).`,
        },
        response: { 201: MemberResponse, ...problemResponses(401, 403, 404, 409, 422) },
      },
    )
    .patch(
      "/:id/members/:user_id",
      async ({ actor, params, body }) =>
        await updateMember({ deps, actor }, params.id, params.user_id, body),
      {
        auth: true,
        params: MemberParams,
        body: UpdateMemberBody,
        detail: {
          summary: "Change a member's role, or hand the board over with role owner (owner)",
          description: "The owner cannot step down except by handing over; asking to is 409.",
        },
        response: { 200: MemberResponse, ...problemResponses(401, 403, 404, 409, 422) },
      },
    )
    .delete(
      "/:id/members/:user_id",
      async ({ actor, params, set }) => {
        await removeMember({ deps, actor }, params.id, params.user_id);
        set.status = 204;
      },
      {
        auth: true,
        params: MemberParams,
        detail: {
          summary: "Remove a member (owner), or leave the board (your own user id)",
          description:
            "The owner cannot leave before handing the board over (409). A removed member's card assignments on the board are cleared.",
        },
        response: { 204: t.Void(), ...problemResponses(401, 403, 404, 409) },
      },
    )
    .post(
      "/:id/lists",
      async ({ actor, params, body, set }) => {
        const list = await createList({ deps, actor }, params.id, body);
        set.status = 201;
        set.headers.location = `/api/v1/lists/${list.id}`;
        return list;
      },
      {
        auth: true,
        params: IdParam,
        body: CreateListBody,
        detail: {
          summary: "Add a list to a board (editor)",
          description: "Appended, or inserted at `position` with the lists after it moved along.",
        },
        response: {
          201: withResponseHeaders(ListResponse, "Location"),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    )
    .get(
      "/:id/activity",
      async ({ actor, params, query, set, request }) => {
        const page = await listActivity({ deps, actor }, params.id, query);
        setPageHeaders(set, request.url, page);
        return page.items;
      },
      {
        auth: true,
        params: IdParam,
        query: PageQuery,
        detail: { summary: "Who did what on the board, newest first" },
        response: {
          200: withResponseHeaders(t.Array(ActivityEntryResponse), "X-Total-Count", "Link"),
          ...problemResponses(401, 404, 422),
        },
      },
    );
}

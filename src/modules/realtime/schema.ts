import { withHeaders } from "@elysiajs/openapi";
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { component, IsoTimestamp, Strict, Text, WholeNumber } from "../../platform/http/schemas";
import { EVENT_TYPES } from "./event-types";

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 500;

const Seq = (description: string) =>
  WholeNumber({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });

export const SocketQuery = t.Object(
  {
    access_token: t.Optional(
      Text({
        maxLength: 4096,
        description:
          "An access token, for clients that cannot set the Sec-WebSocket-Protocol pair `bearer, <token>`",
      }),
    ),
    since: t.Optional(Seq("The last `seq` the client has: missed events are sent first")),
  },
  Strict,
);

export const EventsQuery = t.Object(
  {
    since: t.Optional(
      Seq(
        "The last `seq` the client has; left out, the list is empty and X-Event-Seq tells where the feed is",
      ),
    ),
    limit: t.Optional(
      WholeNumber({
        minimum: 1,
        maximum: MAX_EVENT_LIMIT,
        description: `Events per page (default ${DEFAULT_EVENT_LIMIT})`,
      }),
    ),
  },
  Strict,
);

export const EventResponse = component(
  "Event",
  t.Object({
    type: t.UnionEnum(EVENT_TYPES),
    seq: Type.Integer({ minimum: 1, description: "Position in the global feed; only grows" }),
    at: IsoTimestamp,
    board_id: t.Union([Type.Integer(), t.Null()], {
      description: "The board the event belongs to; null for personal tasks and notifications",
    }),
    data: t.Object(
      {},
      {
        additionalProperties: true,
        description:
          "The resource as the REST API returns it (a board without `role`); for a deletion, its ids",
      },
    ),
  }),
);

export const EventSeqHeader = {
  "X-Event-Seq": Type.Integer({
    minimum: 0,
    description: "The `since` to send next: the last event listed, or the feed's end",
  }),
};

export const EventList = withHeaders(t.Array(EventResponse), {
  ...EventSeqHeader,
  Link: t.String({ description: 'The next page (rel="next") when this one is full' }),
});

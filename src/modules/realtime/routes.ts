import { t } from "elysia";
import type { Deps } from "../../deps";
import { BadRequest, Gone, RateLimited, Unauthenticated } from "../../platform/errors";
import { authGuard, findActor } from "../../platform/http/auth";
import { createRouter } from "../../platform/http/router";
import { problem, problemResponses } from "../../platform/http/schemas";
import { resyncReason } from "./catch-up";
import { selectHeadSeq, selectVisibleEvents } from "./event-rows";
import type { EventType } from "./event-types";
import { DEFAULT_EVENT_LIMIT, EventList, EventSeqHeader, EventsQuery, SocketQuery } from "./schema";
import { type Realtime, socketData } from "./socket";

/** How long a client refused for having too many sockets waits before trying again. */
const TOO_MANY_SOCKETS_RETRY_SECONDS = 30;

export function realtimeRoutes(deps: Deps, realtime: Realtime) {
  return createRouter("", "Realtime")
    .use(authGuard(deps))
    .get(
      "/ws",
      async ({ query, request, server, set }) => {
        const offered = bearerProtocolToken(request.headers.get("sec-websocket-protocol"));
        const token = query.access_token ?? offered;
        if (!token) throw new Unauthenticated("Missing access token");
        const claims = await deps.tokens.verifyAccess(token);
        const actor = claims && (await findActor(deps, claims));
        if (!actor) throw new Unauthenticated("Invalid or expired access token");
        if (realtime.hub.countOf(actor.userId) >= deps.config.wsMaxPerUser) {
          throw new RateLimited(
            TOO_MANY_SOCKETS_RETRY_SECONDS,
            `At most ${deps.config.wsMaxPerUser} open sockets per user; close one first`,
          );
        }
        const data = socketData(
          deps,
          realtime,
          { userId: actor.userId, sessionId: actor.sessionId },
          query.since ?? null,
        );
        // A browser that offered `bearer` fails the handshake unless the server selects it.
        const headers = offered ? { "sec-websocket-protocol": "bearer" } : undefined;
        if (!server?.upgrade(request, { data, headers })) {
          throw new BadRequest("Expected a WebSocket upgrade request");
        }
        set.status = 101;
      },
      {
        query: SocketQuery,
        detail: {
          summary: "Live events over a WebSocket",
          description:
            'Upgrades to a WebSocket that receives `{type, seq, at, board_id, data}` events after their changes commit, for everything the user may see. Authenticate with `?access_token=` or the `Sec-WebSocket-Protocol: bearer, <token>` pair. With `since`, missed events are sent first; then `{type:"ready", seq}` marks the switch to live, and `{type:"resync"}` says `since` is older than the server keeps. Close codes: 4001 session ended, 4008 too many sockets, 1001 server shutting down, 1003 unsupported message.',
          security: [{ bearer: [] }, { oauth2: [] }],
        },
        response: {
          101: t.Void({ description: "Switching Protocols: the socket is open" }),
          ...problemResponses(400, 401, 422),
          429: problem("Too Many Requests: too many open sockets for this user"),
        },
      },
    )
    .get(
      "/events",
      async ({ actor, query, request, set }) => {
        const head = await selectHeadSeq(deps.sql);
        set.headers["x-event-seq"] = String(head);
        if (query.since === undefined) return [];
        if (await resyncReason(deps.sql, query.since)) {
          throw new Gone(
            "Events after this seq are no longer kept: refetch, then continue from X-Event-Seq",
          );
        }
        const limit = query.limit ?? DEFAULT_EVENT_LIMIT;
        const events = await selectVisibleEvents(deps.sql, actor.userId, query.since, head, limit);
        const last = events[events.length - 1];
        if (events.length === limit && last) {
          set.headers["x-event-seq"] = String(last.seq);
          set.headers.link = `<${new URL(request.url).pathname}?since=${last.seq}&limit=${limit}>; rel="next"`;
        }
        return events.map((event) => ({
          type: event.type as EventType,
          seq: event.seq,
          at: new Date(event.created_at).toISOString(),
          board_id: event.board_id,
          data: JSON.parse(event.data) as Record<string, unknown>,
        }));
      },
      {
        auth: true,
        query: EventsQuery,
        detail: {
          summary: "Events since a seq (delta sync without a socket)",
          description:
            "The same events the WebSocket delivers, oldest first. 410 when `since` is older than EVENT_RETENTION keeps (refetch, then continue from X-Event-Seq).",
        },
        response: {
          200: EventList,
          ...problemResponses(401, 422),
          410: problem("Gone: events after `since` are no longer kept; refetch", EventSeqHeader),
        },
      },
    );
}

/** The token of a `Sec-WebSocket-Protocol: bearer, <token>` pair, if the client offered one. */
function bearerProtocolToken(header: string | null): string | null {
  if (!header) return null;
  const [scheme, token, ...rest] = header.split(",").map((part) => part.trim());
  if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) return null;
  return token;
}

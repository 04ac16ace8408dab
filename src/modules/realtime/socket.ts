import type { Deps } from "../../deps";
import { findActor } from "../../platform/http/auth";
import { selectMemberBoardIds } from "../boards/rows";
import { resyncReason } from "./catch-up";
import { selectVisibleEvents } from "./event-rows";
import type { Feed } from "./feed";
import { toMessage } from "./feed";
import { boardTopic, CLOSE, type Hub, type Socket, type SocketState, userTopic } from "./hub";

/** Events sent per step of a replay; between steps the socket's send buffer is looked at. */
const REPLAY_BATCH = 200;
/** A replay pauses while this much is waiting to be sent, and goes on when it drains. */
const REPLAY_BUFFER_BYTES = 256 * 1024;

/**
 * Bun's settings for every socket. A client that stops reading is closed once 1 MiB waits for it
 * rather than growing the server's memory; a silent connection is pinged, and closed when it
 * answers nothing for a minute. Clients send nothing but an optional `{"type":"ping"}`, so
 * messages are small.
 */
export const WEBSOCKET_OPTIONS = {
  idleTimeout: 60,
  sendPings: true,
  backpressureLimit: 1024 * 1024,
  closeOnBackpressureLimit: true,
  maxPayloadLength: 4096,
  perMessageDeflate: false,
} as const;

export interface Realtime {
  hub: Hub;
  feed: Feed;
}

/** What a socket carries from its upgrade request to its handlers (Elysia dispatches on these). */
export interface SocketData {
  state: SocketState;
  /** The last `seq` the client has; the replay continues from here. */
  since: number | null;
  open(socket: Socket): void;
  message(socket: Socket, message: string | Buffer): void;
  drain(socket: Socket): void;
  close(socket: Socket): void;
}

/** The life of one socket: checks at open, replay of what it missed, then live delivery. */
export function socketData(
  deps: Deps,
  realtime: Realtime,
  state: Omit<SocketState, "replaying">,
  since: number | null,
): SocketData {
  const { hub } = realtime;
  return {
    state: { ...state, replaying: true },
    since,
    open(socket) {
      hub.add(socket);
      if (hub.countOf(state.userId) > deps.config.wsMaxPerUser) {
        socket.close(CLOSE.tooMany, "too many sockets");
        return;
      }
      // The session may have ended between the upgrade and now, unseen by the hub.
      if (!findActor(deps, state)) {
        socket.close(CLOSE.sessionEnded, "session ended");
        return;
      }
      const data = socket.data as unknown as SocketData;
      if (data.since !== null && resyncReason(deps.sqlite, data.since)) {
        socket.send('{"type":"resync"}');
        data.since = null;
      }
      replay(deps, realtime, socket);
    },
    message(socket, message) {
      if (typeof message !== "string") {
        socket.close(CLOSE.unsupported, "binary messages are not supported");
        return;
      }
      // The one message a client may send: a heartbeat for browsers, which cannot send pings.
      if (message === '{"type":"ping"}') socket.send('{"type":"pong"}');
    },
    drain(socket) {
      if (socket.data.state.replaying) replay(deps, realtime, socket);
    },
    close(socket) {
      hub.remove(socket);
    },
  };
}

/**
 * Sends the events the client missed, then goes live. The replay runs up to the feed's cursor and
 * the socket subscribes in the same synchronous step, so each event arrives exactly once: those
 * up to the cursor from the replay, those after it from the feed. A long replay pauses whenever
 * the send buffer fills and goes on when it drains, reading up to the cursor as it is then.
 */
function replay(deps: Deps, { feed }: Realtime, socket: Socket): void {
  const data = socket.data as unknown as SocketData;
  const { userId } = data.state;
  while (data.since !== null) {
    const batch = selectVisibleEvents(deps.sqlite, userId, data.since, feed.cursor(), REPLAY_BATCH);
    for (const event of batch) socket.send(toMessage(event));
    if (batch.length < REPLAY_BATCH) break;
    data.since = batch[batch.length - 1]?.seq ?? data.since;
    if (socket.getBufferedAmount() > REPLAY_BUFFER_BYTES) return;
  }
  goLive(deps, feed, socket);
}

function goLive(deps: Deps, feed: Feed, socket: Socket): void {
  const state = socket.data.state;
  state.replaying = false;
  socket.subscribe(userTopic(state.userId));
  for (const boardId of selectMemberBoardIds(deps.sqlite, state.userId)) {
    socket.subscribe(boardTopic(boardId));
  }
  socket.send(`{"type":"ready","seq":${feed.cursor()}}`);
}

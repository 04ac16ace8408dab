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
  /** A replay step is under way (a drain must not start a second one). */
  replayRunning: boolean;
  /** Settles once the socket is live or closed (for tests; Bun does not wait). */
  open(socket: Socket): Promise<void> | undefined;
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
  /** The checks that need the database, then the replay. */
  const begin = async (socket: Socket) => {
    // The session may have ended between the upgrade and now, unseen by the hub.
    if (!(await findActor(deps, state))) {
      socket.close(CLOSE.sessionEnded, "session ended");
      return;
    }
    const data = socket.data as unknown as SocketData;
    if (data.since !== null && (await resyncReason(deps.sql, data.since))) {
      socket.send('{"type":"resync"}');
      data.since = null;
    }
    await replay(deps, realtime, socket);
  };
  return {
    state: { ...state, replaying: true },
    since,
    replayRunning: false,
    open(socket) {
      hub.add(socket);
      if (hub.countOf(state.userId) > deps.config.wsMaxPerUser) {
        socket.close(CLOSE.tooMany, "too many sockets");
        return;
      }
      return settleInBackground(deps, socket, begin(socket));
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
      if (socket.data.state.replaying)
        void settleInBackground(deps, socket, replay(deps, realtime, socket));
    },
    close(socket) {
      hub.remove(socket);
    },
  };
}

/**
 * Sends the events the client missed, then goes live. Each event must arrive exactly once: those
 * up to the feed's cursor from the replay, those after it from the feed. Reads are asynchronous
 * and the feed may deliver while one is under way, so a step reads up to the cursor as it was
 * when the step began, then the boards to subscribe to, and subscribes only if the cursor has not
 * moved meanwhile (the check and the subscriptions are one synchronous step, with no delivery in
 * between); if it moved, the next step replays what was delivered in the meantime. A long replay
 * pauses whenever the send buffer fills and goes on when it drains.
 */
async function replay(deps: Deps, { feed }: Realtime, socket: Socket): Promise<void> {
  const data = socket.data as unknown as SocketData;
  if (data.replayRunning) return;
  data.replayRunning = true;
  const { userId } = data.state;
  try {
    for (;;) {
      const until = feed.cursor();
      if (data.since !== null) {
        const batch = await selectVisibleEvents(deps.sql, userId, data.since, until, REPLAY_BATCH);
        if (socket.readyState !== OPEN) return;
        for (const event of batch) socket.send(toMessage(event));
        const last = batch[batch.length - 1];
        if (batch.length === REPLAY_BATCH && last) {
          data.since = last.seq;
          if (socket.getBufferedAmount() > REPLAY_BUFFER_BYTES) return;
          continue;
        }
        data.since = until;
      }
      const boardIds = await selectMemberBoardIds(deps.sql, userId);
      if (socket.readyState !== OPEN) return;
      if (feed.cursor() === until) {
        await goLive(socket, boardIds, until);
        return;
      }
      // Events went out to the topics before this socket joined them: replay them next.
      data.since = until;
    }
  } finally {
    data.replayRunning = false;
  }
}

const OPEN = 1;

/** A socket's asynchronous work fails alone: logged, and that socket closed. */
function settleInBackground(deps: Deps, socket: Socket, work: Promise<void>): Promise<void> {
  return work.catch((error: unknown) => {
    deps.log.error("socket setup failed", {
      error: error instanceof Error ? error.message : String(error),
    });
    socket.close(CLOSE.serverError, "server error");
  });
}

function goLive(socket: Socket, boardIds: readonly number[], seq: number): void {
  const state = socket.data.state;
  state.replaying = false;
  socket.subscribe(userTopic(state.userId));
  for (const boardId of boardIds) socket.subscribe(boardTopic(boardId));
  socket.send(`{"type":"ready","seq":${seq}}`);
}

import type { Server, ServerWebSocket } from "bun";

/** What a socket carries: whose it is, and where it is in its start (see socket.ts). */
export interface SocketState {
  userId: number;
  sessionId: number;
  /** True until the replay of missed events is done; until then the hub subscribes it to nothing. */
  replaying: boolean;
}

/** Bun's socket, with Elysia's dispatch functions and our state in `data`. */
export type Socket = ServerWebSocket<{ state: SocketState }>;

/** Close codes clients act on (see API.md and the realtime decision record). */
export const CLOSE = {
  /** The server is shutting down: reconnect later. */
  goingAway: 1001,
  /** The server failed to set the socket up: reconnect later. */
  serverError: 1011,
  /** The client sent something it must not. */
  unsupported: 1003,
  /** The session ended: that token will not work again. */
  sessionEnded: 4001,
  /** Too many sockets for this user. */
  tooMany: 4008,
} as const;

export const boardTopic = (boardId: number) => `board:${boardId}`;
export const userTopic = (userId: number) => `user:${userId}`;

/**
 * Delivers messages to this process's sockets, by topic: `user:<id>` (everything addressed to a
 * user: their personal tasks, notifications) and `board:<id>` (a board's events, for its
 * members). It knows only which sockets are open here; what to send and to whom comes from the
 * feed (feed.ts), which every server reads from the database. See docs/decisions/012.
 */
export interface Hub {
  /** Sends to every socket subscribed to `topic`. */
  publish(topic: string, message: string): void;
  /** Subscribes every (live) socket of `userId` to `topic`. */
  join(userId: number, topic: string): void;
  leave(userId: number, topic: string): void;
  /** Closes the sockets of these sessions of `userId` (all of them when `sessionIds` is null). */
  endSessions(userId: number, sessionIds: readonly number[] | null): void;
  add(socket: Socket): void;
  remove(socket: Socket): void;
  /** Open sockets of `userId` here. */
  countOf(userId: number): number;
  /** Open sockets here. */
  size(): number;
  /** Closes every socket (shutdown). */
  closeAll(code: number, reason: string): void;
  /** The server that publishes; set once it listens. */
  attach(server: Server<unknown>): void;
}

/** The in-process hub, on Bun's topic pub/sub: a publish is one call, fanned out natively. */
export function createHub(): Hub {
  const byUser = new Map<number, Set<Socket>>();
  let server: Server<unknown> | null = null;

  const socketsOf = (userId: number) => byUser.get(userId) ?? new Set<Socket>();
  const live = (userId: number) => [...socketsOf(userId)].filter((s) => !s.data.state.replaying);

  return {
    publish(topic, message) {
      server?.publish(topic, message);
    },
    join(userId, topic) {
      for (const socket of live(userId)) socket.subscribe(topic);
    },
    leave(userId, topic) {
      // Replaying sockets too: they subscribe to their boards only once replay is done, but a
      // subscription they already hold must go at once.
      for (const socket of socketsOf(userId)) socket.unsubscribe(topic);
    },
    endSessions(userId, sessionIds) {
      for (const socket of [...socketsOf(userId)]) {
        if (sessionIds === null || sessionIds.includes(socket.data.state.sessionId)) {
          socket.close(CLOSE.sessionEnded, "session ended");
        }
      }
    },
    add(socket) {
      const { userId } = socket.data.state;
      const sockets = byUser.get(userId) ?? new Set<Socket>();
      sockets.add(socket);
      byUser.set(userId, sockets);
    },
    remove(socket) {
      const { userId } = socket.data.state;
      const sockets = byUser.get(userId);
      if (!sockets) return;
      sockets.delete(socket);
      if (sockets.size === 0) byUser.delete(userId);
    },
    countOf: (userId) => byUser.get(userId)?.size ?? 0,
    size() {
      let total = 0;
      for (const sockets of byUser.values()) total += sockets.size;
      return total;
    },
    closeAll(code, reason) {
      for (const socket of [...byUser.values()].flatMap((sockets) => [...sockets])) {
        socket.close(code, reason);
      }
    },
    attach(next) {
      server = next;
    },
  };
}

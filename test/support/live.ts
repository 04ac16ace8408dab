import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./app";

type Overrides = Parameters<typeof createTestContext>[1];

/**
 * A test context whose app also listens on 127.0.0.1 with its event feed running, for tests of
 * the WebSocket over a real connection. `ctx.request` still goes through app.handle(): changes
 * made that way reach the sockets just the same.
 */
export interface LiveContext extends TestContext {
  origin: string;
  /** Opens a socket as `token` (by ?access_token= unless told otherwise). */
  connect(token: string, options?: ConnectOptions): Promise<TestSocket>;
  stop(): Promise<void>;
}

export interface ConnectOptions {
  since?: number;
  /** Send the token as the `bearer, <token>` subprotocol pair instead of the query. */
  viaProtocol?: boolean;
}

export async function createLiveContext(
  env: Record<string, string> = {},
  overrides: Overrides = {},
): Promise<LiveContext> {
  const ctx = await createTestContext({ ...UNTHROTTLED_ENV, ...env }, overrides);
  ctx.app.listen({ port: 0, hostname: "127.0.0.1" });
  const server = ctx.app.server;
  if (!server) throw new Error("the app did not listen");
  ctx.deps.realtime.hub.attach(server);
  ctx.deps.realtime.feed.start();
  const origin = `http://127.0.0.1:${server.port}`;
  const sockets: TestSocket[] = [];
  return {
    ...ctx,
    origin,
    async connect(token, options = {}) {
      const url = new URL("/api/v1/ws", origin.replace("http", "ws"));
      if (!options.viaProtocol) url.searchParams.set("access_token", token);
      if (options.since !== undefined) url.searchParams.set("since", String(options.since));
      const socket = await openSocket(url.href, options.viaProtocol ? ["bearer", token] : []);
      sockets.push(socket);
      return socket;
    },
    async stop() {
      for (const socket of sockets) socket.close();
      ctx.deps.realtime.feed.stop();
      await ctx.app.stop(true);
    },
  };
}

export interface Message {
  type: string;
  seq?: number;
  at?: string;
  board_id?: number | null;
  data?: Record<string, unknown>;
}

export interface TestSocket {
  raw: WebSocket;
  /** Every message so far, parsed. */
  messages: Message[];
  /** The next message not yet taken that matches, waiting up to `ms`. */
  next(match?: (message: Message) => boolean, ms?: number): Promise<Message>;
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a socket and waits for it to be open (rejects if the server refuses it). */
export function openSocket(url: string, protocols: string[] = []): Promise<TestSocket> {
  const raw = new WebSocket(url, protocols);
  const messages: Message[] = [];
  let taken = 0;
  const waiters = new Set<() => void>();
  raw.onmessage = (event) => {
    messages.push(JSON.parse(String(event.data)) as Message);
    for (const wake of waiters) wake();
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    raw.addEventListener("close", (event) => {
      resolve({ code: event.code, reason: event.reason });
      for (const wake of waiters) wake();
    });
  });
  const socket: TestSocket = {
    raw,
    messages,
    closed,
    close: () => raw.close(),
    next(match = () => true, ms = 2000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          while (taken < messages.length) {
            const message = messages[taken++] as Message;
            if (match(message)) {
              finish();
              resolve(message);
              return;
            }
          }
          if (raw.readyState === WebSocket.CLOSED) {
            finish();
            reject(new Error("socket closed while waiting for a message"));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no matching message within ${ms} ms; got ${JSON.stringify(messages)}`));
        }, ms);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(look);
        };
        waiters.add(look);
        look();
      });
    },
  };
  return new Promise((resolve, reject) => {
    raw.onopen = () => resolve(socket);
    raw.onerror = () => reject(new Error(`socket refused: ${url}`));
  });
}

/** The next event (not a control message) on the socket. */
export const isEvent = (message: Message) => message.seq !== undefined && message.type !== "ready";

import type { LiveEvent } from "./types";

/**
 * The realtime connection (GET /api/v1/ws). It keeps the highest `seq` it has seen and
 * reconnects with `?since=` so that nothing is missed or repeated; when the server no longer
 * holds that far back it says `resync`, and listeners refetch what they show.
 */
export type LiveStatus = "offline" | "connecting" | "live" | "reconnecting";

export interface LiveOptions {
  url: (since: number | null) => string;
  /** The current access token; null ends the connection for good. */
  token: () => string | null;
  /** Called when the server refused or ended the token: true when a fresh one was obtained. */
  renewToken: () => Promise<boolean>;
  onEvent: (event: LiveEvent) => void;
  onResync: () => void;
  onStatus: (status: LiveStatus) => void;
  /** Called when the session is over (close code 4001 and no fresh token). */
  onSessionEnded: () => void;
  createSocket?: (url: string, protocols: string[]) => WebSocketLike;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number): void;
}

const SESSION_ENDED = 4001;
const MAX_DELAY_MS = 30_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(attempt, 6));
}

export function createLiveConnection(options: LiveOptions) {
  const createSocket =
    options.createSocket ??
    ((url: string, protocols: string[]) => new WebSocket(url, protocols) as WebSocketLike);
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as number));
  let socket: WebSocketLike | null = null;
  let since: number | null = null;
  let attempt = 0;
  let timer: unknown = null;
  let stopped = true;
  let opened = false;
  // "reconnecting" is for a connection that was live and dropped; before the first success
  // (or against a server without realtime) it stays "connecting" and raises no alarm.
  let wasLive = false;
  const retrying = (): LiveStatus => (wasLive ? "reconnecting" : "connecting");

  function open(): void {
    const token = options.token();
    if (stopped || !token) return;
    options.onStatus(attempt === 0 ? "connecting" : retrying());
    opened = false;
    const ws = createSocket(options.url(since), ["bearer", token]);
    socket = ws;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      receive(message.data);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      void closed(event.code);
    };
    ws.onerror = () => {};
  }

  function receive(raw: unknown): void {
    let message: { type?: string; seq?: number } & Partial<LiveEvent>;
    try {
      message = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (message.type === "ready") {
      if (typeof message.seq === "number") since = Math.max(since ?? 0, message.seq);
      attempt = 0;
      wasLive = true;
      options.onStatus("live");
    } else if (message.type === "resync") {
      since = null;
      options.onResync();
    } else if (typeof message.seq === "number" && typeof message.type === "string") {
      if (since !== null && message.seq <= since) return;
      since = message.seq;
      options.onEvent(message as LiveEvent);
    }
  }

  async function closed(code: number): Promise<void> {
    if (stopped) return;
    // Refused before opening (an expired token gets a 401, not an upgrade), or told the
    // session ended: only a fresh token may try again.
    if (code === SESSION_ENDED || !opened) {
      const renewed = await options.renewToken();
      if (!renewed) {
        if (code === SESSION_ENDED) {
          stop();
          options.onSessionEnded();
          return;
        }
      }
    }
    attempt += 1;
    options.onStatus(retrying());
    timer = setTimer(() => {
      timer = null;
      open();
    }, reconnectDelay(attempt));
  }

  function start(): void {
    if (!stopped) return;
    stopped = false;
    attempt = 0;
    open();
  }

  function stop(): void {
    stopped = true;
    if (timer !== null) clearTimer(timer);
    timer = null;
    const ws = socket;
    socket = null;
    ws?.close(1000);
    options.onStatus("offline");
  }

  return { start, stop, lastSeq: () => since };
}

export type LiveConnection = ReturnType<typeof createLiveConnection>;

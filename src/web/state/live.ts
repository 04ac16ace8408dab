import { signal } from "@preact/signals";
import { api } from "../api/client";
import { createLiveConnection, type LiveConnection, type LiveStatus } from "../api/live";
import type { LiveEvent } from "../api/types";

export const liveStatus = signal<LiveStatus>("offline");
/** Unread notifications, from X-Unread-Count and kept current by notification.created. */
export const unreadCount = signal(0);

type Listener = (event: LiveEvent | "resync") => void;
const listeners = new Set<Listener>();

/** Screens subscribe while they are shown; "resync" means: refetch everything you show. */
export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(event: LiveEvent | "resync"): void {
  if (event !== "resync" && event.type === "notification.created") unreadCount.value += 1;
  for (const listener of listeners) listener(event);
}

let connection: LiveConnection | null = null;

export function startLive(): void {
  void refreshUnreadCount();
  connection ??= createLiveConnection({
    url: (since) => {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const query = since === null ? "" : `?since=${since}`;
      return `${scheme}//${location.host}/api/v1/ws${query}`;
    },
    token: api.accessToken,
    renewToken: api.refresh,
    onEvent: emit,
    onResync: () => {
      void refreshUnreadCount();
      emit("resync");
    },
    onStatus: (status) => {
      liveStatus.value = status;
    },
    onSessionEnded: () => api.endSession(),
  });
  connection.start();
}

export function stopLive(): void {
  connection?.stop();
  connection = null;
}

export async function refreshUnreadCount(): Promise<void> {
  try {
    const { headers } = await api.get<unknown[]>("/notifications?unread=true&limit=1");
    unreadCount.value = Number(headers.get("x-unread-count") ?? 0);
  } catch {
    // Notifications are not served by every server version: the badge stays at zero.
  }
}

import { RedisClient } from "bun";
import { RedisConnection } from "./redis-connection";
import {
  coalesce,
  describeError,
  type FeedWake,
  WAKE_CHANNEL,
  type WakeLog,
  WakeSubscribers,
} from "./wake";

export interface RedisWakeOptions {
  /** Where the subscriber connections go (REDIS_URL). */
  url: string;
  /** Sends the PUBLISH; an ordinary client, which the counters may share. Stays the caller's. */
  publisher: RedisClient;
  log: WakeLog;
  /** The first wait before connecting again; it doubles per failure up to 5 s. */
  retryMs?: number;
}

const MAX_RETRY_MS = 5000;

/**
 * Wakes through Redis pub/sub on `kanbun_events`, for instances that share a Redis (REDIS_URL).
 *
 * The subscription holds a connection of its own, and a connection that drops is replaced by a
 * new client rather than left to Bun's reconnect: a reconnected Bun client does not subscribe
 * again, and subscribing again on it delivers every message twice. Once the new connection is
 * subscribed the subscribers are woken once, since messages published meanwhile are gone.
 *
 * Resolves once the first SUBSCRIBE is acknowledged; fails if Redis cannot be reached then.
 */
export async function createRedisWake(options: RedisWakeOptions): Promise<FeedWake> {
  const { url, publisher, log } = options;
  const retryMs = options.retryMs ?? 100;
  const subscribers = new WakeSubscribers(log);
  let closed = false;
  let current: RedisClient | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const publishing = new RedisConnection(publisher);
  const sender = coalesce(async () => {
    try {
      await publishing.send("PUBLISH", [WAKE_CHANNEL, ""]);
    } catch (error) {
      // The feed's poll still finds the events; the next signal tries again.
      log.warn("feed wake not sent", { channel: WAKE_CHANNEL, error: describeError(error) });
    }
  });

  const connect = async (again: boolean) => {
    const client = new RedisClient(url, { autoReconnect: false });
    client.onclose = () => {
      if (closed || current !== client) return;
      current = null;
      log.warn("feed wake lost its Redis connection", { channel: WAKE_CHANNEL });
      reconnectLater();
    };
    try {
      // A name shows what the connection is in CLIENT LIST; a Redis that refuses it still works.
      await client.send("CLIENT", ["SETNAME", "kanbun-feed-wake"]).catch(() => {});
      await client.subscribe(WAKE_CHANNEL, () => {
        if (!closed) subscribers.wake();
      });
    } catch (error) {
      client.close();
      throw error;
    }
    if (closed) {
      client.close();
      return;
    }
    current = client;
    failures = 0;
    if (again) subscribers.wake();
  };

  const reconnectLater = () => {
    const delay = Math.min(retryMs * 2 ** failures, MAX_RETRY_MS);
    failures += 1;
    retry = setTimeout(() => {
      retry = null;
      connect(true).catch((error) => {
        if (closed) return;
        log.warn("feed wake cannot reach Redis", { error: describeError(error) });
        reconnectLater();
      });
    }, delay);
  };

  await connect(false);
  return {
    signal() {
      if (!closed) sender.pull();
    },
    subscribe: (onWake) => subscribers.add(onWake),
    async close() {
      if (closed) return;
      closed = true;
      sender.cancel();
      subscribers.clear();
      if (retry) clearTimeout(retry);
      current?.close();
      current = null;
    },
  };
}

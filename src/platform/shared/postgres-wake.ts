import type { SQL } from "bun";
import {
  coalesce,
  describeError,
  type FeedWake,
  WAKE_CHANNEL,
  type WakeLog,
  WakeSubscribers,
} from "./wake";

/**
 * Wakes through PostgreSQL LISTEN/NOTIFY on `kanbun_events`, the default with several instances
 * on one PostgreSQL database: no other server is needed. `signal` sends `pg_notify` on one of the
 * client's pooled connections; Bun's `listen` holds a dedicated connection, reconnects it with
 * backoff when it drops and listens again, and each time it does the subscribers are woken once,
 * because notifications sent while it was away are gone.
 *
 * Resolves once the server has acknowledged the LISTEN. The client stays the caller's to close.
 */
export async function createPostgresWake(client: SQL, log: WakeLog): Promise<FeedWake> {
  const subscribers = new WakeSubscribers(log);
  let listens = 0;
  let closed = false;
  const sender = coalesce(async () => {
    try {
      await client.notify(WAKE_CHANNEL);
    } catch (error) {
      // The feed's poll still finds the events; the next signal tries again.
      log.warn("feed wake not sent", { channel: WAKE_CHANNEL, error: describeError(error) });
    }
  });
  const subscription = await client.listen(
    WAKE_CHANNEL,
    () => {
      if (!closed) subscribers.wake();
    },
    () => {
      listens += 1;
      if (listens > 1 && !closed) {
        log.warn("feed wake listening again after a lost connection", { channel: WAKE_CHANNEL });
        subscribers.wake();
      }
    },
  );
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
      await subscription.unlisten();
    },
  };
}

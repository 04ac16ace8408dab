import type { Logger } from "../logging";

/**
 * Wake-ups for the realtime feed across instances (issue 11, decision 014). The events table is
 * the feed; a wake only says "read it now", so it carries nothing, and a lost one costs at most
 * the feed's one-second poll. Three implementations: this process alone (wake.ts), PostgreSQL
 * LISTEN/NOTIFY (postgres-wake.ts) and Redis pub/sub (redis-wake.ts).
 */
export interface FeedWake {
  /**
   * Call after a transaction that recorded events has committed: every instance's subscribers
   * (this one's included) are woken. Never throws; a burst of calls sends one wake a tick.
   */
  signal(): void;
  /**
   * `onWake` runs after any instance's signal, at most once a tick however many arrived, and
   * once after the wake's connection comes back, since signals may have been missed meanwhile.
   * Returns a function that ends this subscription.
   */
  subscribe(onWake: WakeListener): () => void;
  /** Stops sending and delivering; a wake already on its way is dropped. */
  close(): Promise<void>;
}

export type WakeListener = () => void | Promise<void>;

/** The PostgreSQL channel and Redis channel the wakes travel on. */
export const WAKE_CHANNEL = "kanbun_events";

export type WakeLog = Pick<Logger, "warn">;

/**
 * Runs `work` once on the next turn of the event loop however many times the returned trigger
 * is pulled before then. A pull while `work` is still running (a NOTIFY on its way) asks for one
 * more run after it, so nothing signalled after a send began is left unsent.
 */
export function coalesce(work: () => void | Promise<void>): { pull(): void; cancel(): void } {
  let scheduled: ReturnType<typeof setImmediate> | null = null;
  let running = false;
  let again = false;
  let cancelled = false;
  const run = async () => {
    scheduled = null;
    running = true;
    try {
      await work();
    } finally {
      running = false;
      if (again && !cancelled) {
        again = false;
        pull();
      }
    }
  };
  const pull = () => {
    if (cancelled) return;
    if (running) again = true;
    else scheduled ??= setImmediate(run);
  };
  return {
    pull,
    cancel() {
      cancelled = true;
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
    },
  };
}

/**
 * The subscribers of one FeedWake: `wake()` calls each of them once on the next tick, however
 * often it is called before then. One subscriber failing neither stops the others nor the wake.
 */
export class WakeSubscribers {
  private readonly listeners = new Set<WakeListener>();
  private readonly fanOut = coalesce(() => {
    for (const listener of this.listeners) {
      try {
        const done = listener();
        if (done instanceof Promise) done.catch((error) => this.report(error));
      } catch (error) {
        this.report(error);
      }
    }
  });

  constructor(private readonly log: WakeLog) {}

  add(listener: WakeListener): () => void {
    // Each subscription is its own, even for a listener given twice.
    const own: WakeListener = () => listener();
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  wake(): void {
    this.fanOut.pull();
  }

  clear(): void {
    this.fanOut.cancel();
    this.listeners.clear();
  }

  private report(error: unknown): void {
    this.log.warn("feed wake listener failed", { error: describeError(error) });
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** For one instance: a signal wakes this process's subscribers, with nothing on the wire. */
export function createLocalWake(log: WakeLog): FeedWake {
  const subscribers = new WakeSubscribers(log);
  let closed = false;
  return {
    signal() {
      if (!closed) subscribers.wake();
    },
    subscribe: (onWake) => subscribers.add(onWake),
    async close() {
      closed = true;
      subscribers.clear();
    },
  };
}

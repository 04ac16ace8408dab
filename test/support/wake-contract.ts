import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { FeedWake } from "../../src/platform/shared/wake";

/** Two wake clients on one backend (two instances), or one twice where there is no backend. */
export interface WakeBackend {
  a: FeedWake;
  b: FeedWake;
  close(): Promise<void>;
}

/** A subscriber that counts its wakes. */
export function counter(wake: FeedWake): { count: () => number; stop: () => void } {
  let count = 0;
  const stop = wake.subscribe(() => {
    count += 1;
  });
  return { count: () => count, stop };
}

/** Waits until `check` holds, or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out waiting for a wake");
    await Bun.sleep(5);
  }
}

/**
 * What every FeedWake must do: a signal through one client wakes subscribers on the other, a
 * burst wakes each once, and a closed client neither sends nor delivers. `quietMs` is how long
 * to wait for a wake that must not come.
 */
export function describeFeedWakeContract(
  name: string,
  open: () => Promise<WakeBackend>,
  quietMs: number,
): void {
  describe(`${name}: FeedWake contract`, () => {
    let backend: WakeBackend;
    beforeEach(async () => {
      backend = await open();
    });
    afterEach(async () => {
      await backend.close();
    });

    test("a signal through A wakes subscribers on B, and A's own", async () => {
      const onB = counter(backend.b);
      const onA = counter(backend.a);
      backend.a.signal();
      await eventually(() => onB.count() === 1 && onA.count() === 1);
      backend.b.signal();
      await eventually(() => onB.count() === 2 && onA.count() === 2);
    });

    test("a burst of signals wakes each subscriber once; a later signal wakes again", async () => {
      const onB = counter(backend.b);
      for (let i = 0; i < 100; i++) backend.a.signal();
      await eventually(() => onB.count() >= 1);
      await Bun.sleep(quietMs);
      expect(onB.count()).toBe(1);
      backend.a.signal();
      await eventually(() => onB.count() === 2);
    });

    test("after close a client neither delivers nor sends", async () => {
      const { a, b } = backend;
      const onB = counter(b);
      await b.close();
      b.signal();
      // With a second client: A still wakes its own, and B's signal after close reached nobody.
      const onA = a === b ? null : counter(a);
      if (onA) {
        a.signal();
        await eventually(() => onA.count() === 1);
      }
      await Bun.sleep(quietMs);
      expect(onB.count()).toBe(0);
      if (onA) expect(onA.count()).toBe(1);
      // Closing twice is harmless.
      await b.close();
    });

    test("ending one subscription leaves the others", async () => {
      const kept = counter(backend.b);
      const ended = counter(backend.b);
      ended.stop();
      backend.a.signal();
      await eventually(() => kept.count() === 1);
      await Bun.sleep(quietMs);
      expect(ended.count()).toBe(0);
    });

    test("a subscriber that throws stops neither the others nor later wakes", async () => {
      backend.b.subscribe(() => {
        throw new Error("listener broke");
      });
      backend.b.subscribe(() => Promise.reject(new Error("async listener broke")));
      const healthy = counter(backend.b);
      backend.a.signal();
      await eventually(() => healthy.count() === 1);
      backend.a.signal();
      await eventually(() => healthy.count() === 2);
    });
  });
}

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { WindowCounters } from "../../src/platform/shared/counters";

/** Two store instances over one backend, as two servers would have, and the time they see. */
export interface CountersBackend {
  a: WindowCounters;
  b: WindowCounters;
  /** A window length the backend can wait out in a test (fake clocks: any; Redis: real ms). */
  windowMs: number;
  now(): number;
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every WindowCounters store must do, run against each store: hits through two instances
 * count as one, concurrent hits are never lost, windows are fixed and restart when they end,
 * holds are leases, releases never go below zero or reach past a window's end.
 */
export function describeWindowCountersContract(
  name: string,
  open: () => Promise<CountersBackend>,
): void {
  describe(`${name}: WindowCounters contract`, () => {
    let backend: CountersBackend;
    beforeEach(async () => {
      backend = await open();
    });
    afterEach(async () => {
      await backend.close();
    });

    test("two instances on one backend see one count and one window", async () => {
      const { a, b, windowMs, now } = backend;
      const first = await a.hit("login:ip", windowMs, now());
      const second = await b.hit("login:ip", windowMs, now());
      expect(first.count).toBe(1);
      expect(second).toEqual({ count: 2, resetAt: first.resetAt });
      expect(await a.peek("login:ip", now())).toEqual({ count: 2, resetAt: first.resetAt });
      // Another key has a window of its own.
      expect((await b.hit("login:other", windowMs, now())).count).toBe(1);
    });

    test("200 concurrent hits through both instances count 200, each seeing its own number", async () => {
      const { a, b, windowMs, now } = backend;
      const hits = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).hit("burst", windowMs, now())),
      );
      const counts = hits.map((hit) => hit.count).sort((x, y) => x - y);
      expect(counts).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect((await b.peek("burst", now()))?.count).toBe(200);
    });

    test("a window is fixed from its first hit and restarts once it ends", async () => {
      const { a, b, windowMs, now, elapse } = backend;
      const first = await a.hit("w", windowMs, now());
      expect(first.resetAt - now()).toBeGreaterThan(windowMs * 0.5);
      await elapse(windowMs * 0.4);
      expect((await b.hit("w", windowMs, now())).resetAt).toBe(first.resetAt);
      await elapse(windowMs * 0.7);
      expect(await a.peek("w", now())).toBeNull();
      const restarted = await b.hit("w", windowMs, now());
      expect(restarted.count).toBe(1);
      expect(restarted.resetAt).toBeGreaterThan(first.resetAt);
    });

    test("a hold is a lease: each hold moves the end out", async () => {
      const { a, b, windowMs, now, elapse } = backend;
      const first = await a.hold("held", windowMs, now());
      await elapse(windowMs * 0.6);
      const second = await b.hold("held", windowMs, now());
      expect(second.count).toBe(2);
      expect(second.resetAt).toBeGreaterThan(first.resetAt);
      // Past the first hold's end, the second keeps the count alive.
      await elapse(windowMs * 0.6);
      expect((await a.peek("held", now()))?.count).toBe(2);
      await elapse(windowMs * 0.6);
      expect(await a.peek("held", now())).toBeNull();
      expect((await a.hold("held", windowMs, now())).count).toBe(1);
    });

    test("releases through either instance hand back holds, never below zero", async () => {
      const { a, b, windowMs, now } = backend;
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).hold("flight", windowMs, now())),
      );
      expect((await a.peek("flight", now()))?.count).toBe(100);
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? b : a).release("flight", now())),
      );
      expect((await b.peek("flight", now()))?.count).toBe(0);
      await a.release("flight", now());
      expect((await b.peek("flight", now()))?.count).toBe(0);
      expect((await b.hold("flight", windowMs, now())).count).toBe(1);
    });

    test("a release after the window ended does not reach into the next one", async () => {
      const { a, b, windowMs, now, elapse } = backend;
      await a.hold("late", windowMs, now());
      await elapse(windowMs * 1.2);
      await b.release("late", now());
      expect(await a.peek("late", now())).toBeNull();
      expect((await a.hold("late", windowMs, now())).count).toBe(1);
      await b.release("missing", now());
      expect(await a.peek("missing", now())).toBeNull();
    });

    test("reset forgets a key on every instance; others keep counting", async () => {
      const { a, b, windowMs, now } = backend;
      await a.hit("gone", windowMs, now());
      await a.hit("kept", windowMs, now());
      await b.reset("gone");
      expect(await a.peek("gone", now())).toBeNull();
      expect((await a.hit("gone", windowMs, now())).count).toBe(1);
      expect((await b.hit("kept", windowMs, now())).count).toBe(2);
    });

    test("a sweep leaves running windows alone and ended ones gone", async () => {
      const { a, b, windowMs, now, elapse } = backend;
      await a.hit("old", windowMs, now());
      await elapse(windowMs * 0.6);
      await a.hit("young", windowMs, now());
      await elapse(windowMs * 0.6);
      await b.sweep(now());
      expect(await a.peek("old", now())).toBeNull();
      expect((await a.peek("young", now()))?.count).toBe(1);
    });
  });
}

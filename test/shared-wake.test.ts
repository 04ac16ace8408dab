import { describe, expect, test } from "bun:test";
import { coalesce, createLocalWake, WakeSubscribers } from "../src/platform/shared/wake";
import { counter, describeFeedWakeContract, eventually } from "./support/wake-contract";

/** A logger that keeps what it is told. */
function recordingLog() {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    warn: (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields }),
  };
}

describeFeedWakeContract(
  "in-process",
  async () => {
    // One process, one wake: both "instances" are its two handles on it.
    const wake = createLocalWake(recordingLog());
    return { a: wake, b: wake, close: () => wake.close() };
  },
  20,
);

describe("in-process wake", () => {
  test("wakes on the next tick, not inside the signalling call", async () => {
    const wake = createLocalWake(recordingLog());
    const woken = counter(wake);
    wake.signal();
    expect(woken.count()).toBe(0);
    await eventually(() => woken.count() === 1);
    await wake.close();
  });

  test("a failing subscriber is logged", async () => {
    const log = recordingLog();
    const wake = createLocalWake(log);
    wake.subscribe(() => {
      throw new Error("sync failure");
    });
    wake.subscribe(async () => {
      throw new Error("async failure");
    });
    wake.signal();
    await eventually(() => log.lines.length === 2);
    expect(log.lines.map((line) => line.fields?.error).sort()).toEqual([
      "async failure",
      "sync failure",
    ]);
    expect(log.lines[0]?.message).toBe("feed wake listener failed");
    await wake.close();
  });

  test("the same function subscribed twice is two subscriptions", async () => {
    const wake = createLocalWake(recordingLog());
    let calls = 0;
    const listener = () => {
      calls += 1;
    };
    const first = wake.subscribe(listener);
    wake.subscribe(listener);
    first();
    wake.signal();
    await eventually(() => calls === 1);
    await Bun.sleep(10);
    expect(calls).toBe(1);
    await wake.close();
  });
});

describe("coalesce", () => {
  test("runs once a tick however often pulled", async () => {
    let runs = 0;
    const job = coalesce(() => {
      runs += 1;
    });
    for (let i = 0; i < 10; i++) job.pull();
    await eventually(() => runs === 1);
    await Bun.sleep(10);
    expect(runs).toBe(1);
    job.pull();
    await eventually(() => runs === 2);
  });

  test("a pull while the work runs asks for exactly one more run after it", async () => {
    const started: number[] = [];
    let finish: () => void = () => {};
    const job = coalesce(async () => {
      started.push(Date.now());
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    job.pull();
    await eventually(() => started.length === 1);
    job.pull();
    job.pull();
    await Bun.sleep(10);
    // Still the first run: the pulls wait for it.
    expect(started).toHaveLength(1);
    finish();
    await eventually(() => started.length === 2);
    finish();
    await Bun.sleep(10);
    expect(started).toHaveLength(2);
  });

  test("cancel drops a scheduled run and every later pull", async () => {
    let runs = 0;
    const job = coalesce(() => {
      runs += 1;
    });
    job.pull();
    job.cancel();
    job.pull();
    await Bun.sleep(10);
    expect(runs).toBe(0);
  });

  test("cancel during a run drops the run asked for after it", async () => {
    let runs = 0;
    let finish: () => void = () => {};
    const job = coalesce(async () => {
      runs += 1;
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    job.pull();
    await eventually(() => runs === 1);
    job.pull();
    job.cancel();
    finish();
    await Bun.sleep(10);
    expect(runs).toBe(1);
  });
});

describe("WakeSubscribers", () => {
  test("clear ends every subscription and any wake on its way", async () => {
    const subscribers = new WakeSubscribers(recordingLog());
    let calls = 0;
    subscribers.add(() => {
      calls += 1;
    });
    subscribers.wake();
    subscribers.clear();
    await Bun.sleep(10);
    expect(calls).toBe(0);
  });
});

import { describe, expect, test } from "bun:test";
import { createWindowCounter, enforceWindow } from "../src/platform/http/rate-limit";
import { FakeClock } from "./support/clock";

describe("fixed-window counter", () => {
  test("counts within a window, then starts a new one when it ends", () => {
    const clock = new FakeClock();
    const count = createWindowCounter(2, 60_000, clock);
    expect(count("a")).toEqual({ limit: 2, remaining: 1, resetSeconds: 60, exceeded: false });
    clock.advance(10_500);
    expect(count("a")).toEqual({ limit: 2, remaining: 0, resetSeconds: 50, exceeded: false });
    expect(count("a")).toEqual({ limit: 2, remaining: 0, resetSeconds: 50, exceeded: true });
    // Other keys have windows of their own.
    expect(count("b")).toEqual({ limit: 2, remaining: 1, resetSeconds: 60, exceeded: false });
    clock.advance(49_500);
    expect(count("a")).toEqual({ limit: 2, remaining: 1, resetSeconds: 60, exceeded: false });
  });

  test("reset is at least one second, even in the window's last moment", () => {
    const clock = new FakeClock();
    const count = createWindowCounter(5, 60_000, clock);
    count("a");
    clock.advance(59_999);
    expect(count("a").resetSeconds).toBe(1);
  });

  test("keeps at most 10,000 keys, forgetting the least recently used", () => {
    const clock = new FakeClock();
    const count = createWindowCounter(1, 60_000, clock);
    count("first");
    count("kept");
    for (let i = 0; i < 9_998; i++) count(`k${i}`);
    count("kept"); // used again: now the most recent
    count("one-too-many");
    // "first" was dropped, so it starts afresh; "kept" still remembers its two requests.
    expect(count("first").exceeded).toBe(false);
    expect(count("kept").exceeded).toBe(true);
  });

  test("enforceWindow throws 429 over the limit and shows the closest limit's headers", () => {
    const clock = new FakeClock();
    const wide = createWindowCounter(100, 60_000, clock);
    const narrow = createWindowCounter(1, 60_000, clock);
    const headers: Record<string, unknown> = {};
    enforceWindow(wide, "a", headers);
    enforceWindow(narrow, "a", headers);
    expect(headers).toEqual({
      "ratelimit-limit": "1",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "60",
    });
    enforceWindow(wide, "a", headers);
    expect(headers["ratelimit-limit"]).toBe("1");
    expect(() => enforceWindow(narrow, "a", headers, "slow down")).toThrow(
      expect.objectContaining({ status: 429 }),
    );
  });
});

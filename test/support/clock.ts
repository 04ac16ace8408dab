import type { Clock } from "../../src/platform/clock";

/** A clock that only moves when a test moves it. */
export class FakeClock implements Clock {
  constructor(private current = Date.parse("2026-11-21T10:00:00.000Z")) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(iso: string): void {
    this.current = Date.parse(iso);
  }
}

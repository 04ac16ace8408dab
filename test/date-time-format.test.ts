import { describe, expect, test } from "bun:test";
import { FormatRegistry } from "@sinclair/typebox";
import fc from "fast-check";
import { isCanonicalTimestamp } from "../src/platform/http/date-time-format";
import "../src/platform/http/schemas";

type Check = ((value: string) => boolean) & {
  fast?: boolean;
  fallback?: (value: string) => boolean;
};

function installed(): { check: Check; elysia: (value: string) => boolean } {
  const check = FormatRegistry.Get("date-time") as Check | undefined;
  if (!check?.fast || !check.fallback) throw new Error("the fast date-time check is not installed");
  return { check, elysia: check.fallback };
}

const EARLIEST = Date.parse("0000-01-01T00:00:00.000Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");
const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digitsOf = (n: number) =>
  fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(""));
// The canonical shape with any digits: impossible months, days, hours and seconds included.
const canonicalShape = fc
  .tuple(digitsOf(4), digitsOf(2), digitsOf(2), digitsOf(2), digitsOf(2), digitsOf(2), digitsOf(3))
  .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);

describe("date-time format check", () => {
  test("accepts every instant toISOString writes for years 0000–9999, as Elysia's check does", () => {
    const { check, elysia } = installed();
    fc.assert(
      fc.property(fc.integer({ min: EARLIEST, max: LATEST }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(isCanonicalTimestamp(text)).toBe(true);
        expect(check(text)).toBe(true);
        expect(elysia(text)).toBe(true);
      }),
    );
  });

  test("answers exactly as Elysia's check for any text in the canonical shape", () => {
    const { check, elysia } = installed();
    fc.assert(
      fc.property(canonicalShape, (text) => {
        expect(check(text)).toBe(elysia(text));
      }),
      { numRuns: 2000 },
    );
  });

  test("answers exactly as Elysia's check for other text", () => {
    const { check, elysia } = installed();
    const samples = [
      "",
      "2026-11-21",
      "2026-11-21T10:15:30Z",
      "2026-11-21T10:15:30+02:00",
      "2026-11-21 10:15:30.123Z",
      "2026-11-21T10:15:30.123456Z",
      "2026-02-30T00:00:00.000Z",
      "2025-02-29T00:00:00.000Z",
      "2024-02-29T00:00:00.000Z",
      "1900-02-29T00:00:00.000Z",
      "2000-02-29T00:00:00.000Z",
      "2026-13-01T00:00:00.000Z",
      "2026-00-10T00:00:00.000Z",
      "2026-11-00T00:00:00.000Z",
      "2026-11-21T24:00:00.000Z",
      "2026-11-21T23:60:00.000Z",
      "2026-11-21T23:59:60.000Z",
      "+012026-11-21T10:15:30.123Z",
      "2026-11-21T10:15:30.12aZ",
      "x2026-11-21T10:15:30.123Z",
      "2026-11-21T10:15:30.123Zx",
      "Sat Nov 21 2026 10:15:30 GMT+0000 (Coordinated Universal Time)",
    ];
    for (const text of samples)
      expect({ text, ok: check(text) }).toEqual({ text, ok: elysia(text) });
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        expect(check(text)).toBe(elysia(text));
      }),
    );
  });

  test("the fast path takes only real calendar instants", () => {
    expect(isCanonicalTimestamp("2024-02-29T23:59:59.999Z")).toBe(true);
    expect(isCanonicalTimestamp("2025-02-29T00:00:00.000Z")).toBe(false);
    expect(isCanonicalTimestamp("2026-04-31T00:00:00.000Z")).toBe(false);
    expect(isCanonicalTimestamp("2026-11-21T24:00:00.000Z")).toBe(false);
    expect(isCanonicalTimestamp("2026-11-21T10:15:30Z")).toBe(false);
    expect(isCanonicalTimestamp("2026-11-21T10:15:30.123+00:00")).toBe(false);
  });
});

import { FormatRegistry } from "@sinclair/typebox";

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The number written by `length` ASCII digits at `start`, or -1. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * Whether text is a real UTC instant in the shape `Date#toISOString` writes for years 0000–9999
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`), the only shape our timestamps take. False means "not this shape",
 * not "invalid". Read character by character: no regular expression, no allocation.
 */
export function isCanonicalTimestamp(text: string): boolean {
  if (text.length !== 24) return false;
  if (text[4] !== "-" || text[7] !== "-" || text[10] !== "T" || text[13] !== ":") return false;
  if (text[16] !== ":" || text[19] !== "." || text[23] !== "Z") return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const days = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > days) return false;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  return (
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    digits(text, 20, 3) >= 0
  );
}

/**
 * Every response timestamp is checked against the `date-time` format, and Elysia's check runs
 * several regular expressions and a `Date` parse: on a page of tasks that was a tenth of the
 * request. A real instant in toISOString's shape passes that check, so it is accepted at once;
 * anything else still goes through Elysia's own check, so what passes is exactly what passed.
 */
export function installDateTimeFormat(): void {
  const elysiaCheck = FormatRegistry.Get("date-time");
  if (!elysiaCheck || (elysiaCheck as { fast?: boolean }).fast) return;
  const check = Object.assign(
    (value: string) => isCanonicalTimestamp(value) || elysiaCheck(value),
    { fast: true, fallback: elysiaCheck },
  );
  FormatRegistry.Set("date-time", check);
}

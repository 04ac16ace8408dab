/**
 * Strict ISO 8601 (RFC 3339 profile) dates for due dates and date filters. Elysia's own `date` and
 * `date-time` formats also accept "12/01/2026" and roll "2026-02-30" over into March, and
 * `Date.parse` reads a time without an offset as server-local time, so the schemas pin the shape
 * with these patterns and `parseIsoDate` checks the calendar.
 */
export const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}$";
export const DATE_TIME_PATTERN =
  "^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2})))?$/;

// Timestamps are rendered as `YYYY-MM-DDTHH:mm:ss.sssZ`; outside these years that shape breaks.
const EARLIEST = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const LATEST = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** Milliseconds since the epoch, or null when the text is not a real ISO date or date-time. */
export function parseIsoDate(text: string): number | null {
  const match = ISO.exec(text);
  if (!match) return null;
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = ""] = match;
  const [sign, offsetHours = "0", offsetMinutes = "0"] = match.slice(8);
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  const oh = Number(offsetHours);
  const om = Number(offsetMinutes);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
  if (h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return null;
  const ms = Number(fraction.slice(1, 4).padEnd(3, "0"));
  const offset = (sign === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  const result = date.getTime() - offset;
  return result < EARLIEST || result > LATEST ? null : result;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A median with the spread around it: on a shared machine the spread says how far to trust it. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  count: number;
}

export function summarize(values: number[]): Summary {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0)
    return { median: Number.NaN, min: Number.NaN, max: Number.NaN, count: 0 };
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, count: sorted.length };
}

export function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** "median (min–max)", or the one value when there is only one. */
export function formatSummary(summary: Summary, digits: number): string {
  const median = formatNumber(summary.median, digits);
  if (summary.count <= 1) return median;
  return `${median} (${formatNumber(summary.min, digits)}–${formatNumber(summary.max, digits)})`;
}

/**
 * The nearest-rank percentile (the smallest value with at least p % of the values at or below
 * it), as wrk reports its own: p 100 is the maximum. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new Error(`A percentile is in (0, 100], not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] ?? Number.NaN;
}

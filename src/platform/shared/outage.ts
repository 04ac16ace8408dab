import type { Clock } from "../clock";
import type { Logger } from "../logging";
import { describeError } from "./wake";

/** How long an outage stays quiet in the log after it was reported. */
export const OUTAGE_REPORT_INTERVAL_MS = 10_000;

/**
 * Reports failures of a shared store (Redis, the database) without a log line per request: the
 * first failure is logged, then at most one every OUTAGE_REPORT_INTERVAL_MS, with how many
 * failed in between.
 */
export function createOutageReport(log: Pick<Logger, "warn">, clock: Clock, message: string) {
  let reportedAt = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return (error: unknown) => {
    unreported += 1;
    const now = clock.now();
    if (now - reportedAt < OUTAGE_REPORT_INTERVAL_MS) return;
    log.warn(message, { error: describeError(error), failures: unreported });
    reportedAt = now;
    unreported = 0;
  };
}

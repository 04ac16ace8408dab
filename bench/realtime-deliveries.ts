import { percentile } from "./stats";

/**
 * Matching what the realtime load sent with what its sockets received. Every card update is
 * expected exactly once on each socket of its board's members; a reception is matched to its
 * update by task id and version (each update makes a new version), so a missing, a duplicate and
 * a stray delivery are each counted, never hidden in an average.
 */

/** One update as the load generator saw it answered. */
export interface SentUpdate {
  key: string;
  board: number;
  /** When the HTTP response arrived (the load process's performance.now(), ms). */
  respondedAt: number;
}

/** One `task.updated` as one socket received it. */
export interface Reception {
  socket: number;
  key: string;
  /** When the message arrived (the same clock as `respondedAt`). */
  at: number;
}

export interface DeliveryTally {
  /** Updates × their board's member sockets. */
  expected: number;
  /** Expected (update, socket) pairs that arrived, each counted once. */
  received: number;
  missing: number;
  /** Arrivals beyond the first of the same update on the same socket. */
  duplicates: number;
  /** Arrivals of no update sent, or on a socket not of the update's board. */
  stray: number;
  /** Deliveries that arrived before the HTTP response did (their latency is ≤ 0). */
  beforeResponse: number;
  /** From the HTTP response to the arrival, one per received pair, ms (negative: arrived first). */
  latenciesMs: number[];
}

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What a report keeps of a tally: its counts, whether it was exact, and its latency figures. */
export interface DeliverySummary extends Omit<DeliveryTally, "latenciesMs">, LatencyFigures {
  exact: boolean;
}

export function summarizeDeliveries(tally: DeliveryTally): DeliverySummary {
  const { latenciesMs, ...counts } = tally;
  return { ...counts, exact: deliveredExactly(tally), ...latencyFigures(latenciesMs) };
}

export function deliveryKey(taskId: number, version: number): string {
  return `${taskId}@${version}`;
}

/** Which update an event announces: `task.updated` with a numeric id and version, else null. */
export function keyOfMessage(message: unknown): string | null {
  if (typeof message !== "object" || message === null) return null;
  const { type, data } = message as { type?: unknown; data?: { id?: unknown; version?: unknown } };
  if (type !== "task.updated" || typeof data !== "object" || data === null) return null;
  if (typeof data.id !== "number" || typeof data.version !== "number") return null;
  return deliveryKey(data.id, data.version);
}

export function matchDeliveries(
  updates: readonly SentUpdate[],
  receptions: readonly Reception[],
  socketsOfBoard: (board: number) => readonly number[],
): DeliveryTally {
  const sent = new Map<string, SentUpdate>();
  for (const update of updates) {
    if (sent.has(update.key)) throw new Error(`Update ${update.key} was sent twice`);
    sent.set(update.key, update);
  }
  const tally: DeliveryTally = {
    expected: 0,
    received: 0,
    missing: 0,
    duplicates: 0,
    stray: 0,
    beforeResponse: 0,
    latenciesMs: [],
  };
  for (const update of updates) tally.expected += socketsOfBoard(update.board).length;
  const seen = new Set<string>();
  for (const reception of receptions) {
    const update = sent.get(reception.key);
    if (!update || !socketsOfBoard(update.board).includes(reception.socket)) {
      tally.stray += 1;
      continue;
    }
    const pair = `${reception.key}#${reception.socket}`;
    if (seen.has(pair)) {
      tally.duplicates += 1;
      continue;
    }
    seen.add(pair);
    tally.received += 1;
    const latency = reception.at - update.respondedAt;
    if (latency < 0) tally.beforeResponse += 1;
    tally.latenciesMs.push(latency);
  }
  tally.missing = tally.expected - tally.received;
  return tally;
}

/** Every update reached every member's socket once, and nothing else arrived. */
export function deliveredExactly(tally: DeliveryTally): boolean {
  return (
    tally.expected > 0 &&
    tally.missing === 0 &&
    tally.duplicates === 0 &&
    tally.stray === 0 &&
    tally.received === tally.expected
  );
}

export function latencyFigures(latenciesMs: readonly number[]): LatencyFigures {
  return {
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: percentile(latenciesMs, 100),
  };
}

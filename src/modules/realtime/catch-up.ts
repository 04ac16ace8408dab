import type { Database } from "bun:sqlite";
import { selectHeadSeq, selectPrunedThrough } from "./event-rows";

/** Why a client cannot catch up from its `since`, and must refetch instead. */
export type Resync = "pruned" | "unknown";

/**
 * Whether a client that has seen everything up to `since` can catch up from the feed: not when
 * retention removed events after it, nor when `since` is beyond any event handed out (a client
 * of another server, or of this one before a restore).
 */
export function resyncReason(sqlite: Database, since: number): Resync | null {
  if (since < selectPrunedThrough(sqlite)) return "pruned";
  if (since > selectHeadSeq(sqlite)) return "unknown";
  return null;
}

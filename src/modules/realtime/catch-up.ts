import type { Sql } from "../../platform/db/sql";
import { selectHeadSeq, selectPrunedThrough } from "./event-rows";

/** Why a client cannot catch up from its `since`, and must refetch instead. */
export type Resync = "pruned" | "unknown";

/**
 * Whether a client that has seen everything up to `since` can catch up from the feed: not when
 * retention removed events after it, nor when `since` is beyond any event handed out (a client
 * of another server, or of this one before a restore).
 */
export async function resyncReason(sql: Sql, since: number): Promise<Resync | null> {
  if (since < (await selectPrunedThrough(sql))) return "pruned";
  if (since > (await selectHeadSeq(sql))) return "unknown";
  return null;
}

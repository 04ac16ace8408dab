import type { Sql } from "../../platform/db/sql";
import type { Logger } from "../../platform/logging";
import type { FeedWake } from "../../platform/shared/wake";
import { type StoredEvent, selectEventsAfter, selectHeadSeq } from "./event-rows";
import { onEventsRecorded, type Recorded } from "./events";
import { boardTopic, type Hub, userTopic } from "./hub";

/** Events read per query while catching up; the loop goes on until none are left. */
const BATCH = 500;
/**
 * How often the feed looks for events without being woken: those written by another process on
 * the same database (the CLI ending sessions, say) arrive within this time.
 */
const POLL_MS = 1000;

export interface Feed {
  /** The newest `seq` delivered to this process's sockets: replays stop here (socket.ts). */
  cursor(): number;
  /** Delivers every committed event after the cursor, in order. */
  deliver(recorded?: Recorded): void;
  start(): void;
  stop(): void;
}

/**
 * Reads the change feed in `seq` order and hands each event to the hub: the only path from a
 * committed change to a socket. Nothing here needs another process's memory: a second server
 * runs its own feed over the same table, woken by the database's notifications (or Redis).
 *
 * With a `wake` (several instances), each commit that recorded events signals every instance,
 * this one included, and each wake has the feed read the table; the poll stays, for wakes lost
 * in transit. Without one (one instance on SQLite) the feed hears only its own commits.
 */
export function createFeed(sql: Sql, hub: Hub, log: Logger, wake: FeedWake | null = null): Feed {
  // Set when the feed starts (after migrations): what was already recorded is nobody's news.
  let cursor = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let unsubscribe: (() => void) | null = null;

  // The read in progress, if any: never two at once, so events go out once and in order.
  let reading: Promise<void> | null = null;
  // Woken while reading: read again once this read is done.
  let again = false;

  const send = (event: StoredEvent) => {
    // Already delivered (a read and a commit can both hand over the same event).
    if (event.seq <= cursor) return;
    // One bad event must not stop the ones after it.
    try {
      route(hub, event);
    } catch (error) {
      log.error("event delivery failed", {
        seq: event.seq,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    cursor = event.seq;
  };

  const read = async (step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      log.error("reading the event feed failed", {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      reading = null;
    }
    if (again) await deliver();
  };

  const readNewEvents = async () => {
    do {
      again = false;
      for (;;) {
        const batch = await selectEventsAfter(sql, cursor, Number.MAX_SAFE_INTEGER, BATCH);
        for (const event of batch) send(event);
        if (batch.length < BATCH) break;
      }
    } while (again);
  };

  /**
   * Delivers every committed event after the cursor, in order. Events this process saw commit
   * are sent as they were recorded when they are exactly the next ones and no read is under way:
   * reading each back cost about as much as the rest of its delivery. Anything else (another
   * process's events in between, a transaction whose end went unseen, the poll) is read from
   * the table, one read at a time; a wake during a read has it read once more.
   */
  const deliver = (recorded?: Recorded): void => {
    if (reading) {
      again = true;
      return;
    }
    if (recorded && !recorded.unsure && follows(recorded.committed, cursor)) {
      for (const event of recorded.committed) send(event);
      return;
    }
    reading = read(readNewEvents);
  };

  return {
    cursor: () => cursor,
    deliver,
    async start() {
      if (timer) return;
      onEventsRecorded(
        sql,
        wake
          ? (recorded) => {
              deliver(recorded);
              wake.signal();
            }
          : deliver,
      );
      unsubscribe = wake?.subscribe(() => deliver()) ?? null;
      timer = setInterval(async () => await deliver(), POLL_MS);
      timer.unref?.();
      reading = read(async () => {
        cursor = Math.max(cursor, await selectHeadSeq(sql));
      });
    },
    stop() {
      onEventsRecorded(sql, null);
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/**
 * Who receives an event, and the subscriptions it changes first: a new member's sockets join the
 * board before its `member.added` goes out (so they see it); a removed member's sockets leave
 * before `member.removed` goes to the board, so from then on nothing of the board reaches them.
 */
function route(hub: Hub, event: StoredEvent): void {
  if (event.type === "sessions.ended") {
    const data = JSON.parse(event.data) as { session_ids?: number[] };
    if (event.user_id !== null) hub.endSessions(event.user_id, data.session_ids ?? null);
    return;
  }
  const board = event.board_id;
  const addressee = event.user_id;
  if (board !== null && addressee === null) {
    if (event.type === "member.added") hub.join(memberOf(event), boardTopic(board));
    if (event.type === "member.removed") hub.leave(memberOf(event), boardTopic(board));
  }
  // board.deleted is addressed to each member in turn.
  if (board !== null && addressee !== null && event.type === "board.deleted") {
    hub.leave(addressee, boardTopic(board));
  }
  const topic =
    addressee !== null ? userTopic(addressee) : board !== null ? boardTopic(board) : null;
  if (topic) hub.publish(topic, toMessage(event));
}

/** The member a member.* event is about: its data is the member as the REST API shows it. */
function memberOf(event: StoredEvent): number {
  const data = JSON.parse(event.data) as { user_id?: unknown; id?: unknown };
  const userId = data.user_id ?? data.id;
  if (typeof userId !== "number") throw new Error(`${event.type} ${event.seq} names no member`);
  return userId;
}

/** The wire form `{type, seq, at, board_id, data}`, built without parsing `data` again. */
export function toMessage(event: StoredEvent): string {
  return `{"type":${JSON.stringify(event.type)},"seq":${event.seq},"at":"${new Date(event.created_at).toISOString()}","board_id":${event.board_id ?? "null"},"data":${event.data}}`;
}

/** Whether `events` are exactly the ones after `cursor`, with no seq missing in between. */
function follows(events: readonly StoredEvent[], cursor: number): boolean {
  return events.every((event, index) => event.seq === cursor + 1 + index);
}

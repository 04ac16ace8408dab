import { describe, expect, test } from "bun:test";
import { onEventsRecorded, recordEvent, recordSessionsEnded } from "../src/modules/realtime/events";
import { createFeed } from "../src/modules/realtime/feed";
import { createHub } from "../src/modules/realtime/hub";
import { createSqliteSql } from "../src/platform/db/sqlite-sql";
import { createLogger } from "../src/platform/logging";
import { freshDatabase } from "./support/database";

function rows(sqlite: ReturnType<typeof freshDatabase>) {
  return sqlite
    .query<{ type: string; user_id: number | null; data: string }, []>(
      "SELECT type, user_id, data FROM events ORDER BY seq",
    )
    .all()
    .map((row) => ({ ...row, data: JSON.parse(row.data) }));
}

/** Lets settled promises and the feed's reads run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the events outbox", () => {
  test("a feed is woken once per transaction, after it has committed", async () => {
    const sqlite = freshDatabase();
    const sql = createSqliteSql(sqlite);
    const seen: number[] = [];
    onEventsRecorded(sql, () => seen.push(rows(sqlite).length));
    await sql.transaction(async () => {
      await recordEvent(sql, 1, { type: "board.updated", boardId: 1, data: { id: 1 } });
      await recordEvent(sql, 1, { type: "board.updated", boardId: 1, data: { id: 1 } });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([2]);

    onEventsRecorded(sql, null);
    await sql.transaction(() =>
      recordEvent(sql, 2, { type: "board.deleted", boardId: 1, data: { id: 1 } }),
    );
    expect(seen).toEqual([2]);
  });

  test("ended sessions are recorded for their user, all or some, and none is no row", async () => {
    const sqlite = freshDatabase();
    const sql = createSqliteSql(sqlite);
    await sql.transaction(async () => {
      await recordSessionsEnded(sql, 1, { userId: 7, sessionIds: [] });
      await recordSessionsEnded(sql, 1, { userId: 7, sessionIds: [3, 4] });
      await recordSessionsEnded(sql, 1, { userId: 8 });
    });
    expect(rows(sqlite)).toEqual([
      { type: "sessions.ended", user_id: 7, data: { session_ids: [3, 4] } },
      { type: "sessions.ended", user_id: 8, data: { all: true } },
    ]);
  });
});

describe("the feed hands over what committed, once, in order", () => {
  function feedWithRecorder() {
    const sqlite = freshDatabase();
    const sql = createSqliteSql(sqlite);
    const published: { topic: string; message: Record<string, unknown> }[] = [];
    const hub = {
      ...createHub(),
      publish: (topic: string, message: string) => {
        published.push({ topic, message: JSON.parse(message) });
      },
    };
    const reads: string[] = [];
    const query = sqlite.query.bind(sqlite);
    sqlite.query = ((text: string) => {
      if (/FROM events WHERE seq >/.test(text)) reads.push(text);
      return query(text);
    }) as typeof query;
    const feed = createFeed(sql, hub, createLogger("silent"));
    feed.start();
    const ids = () => published.map(({ message }) => (message.data as { id: number }).id);
    return { sqlite, sql, feed, published, ids, reads };
  }
  const task = (id: number) => ({
    type: "task.created" as const,
    boardId: null,
    userId: 1,
    data: { id },
  });

  test("a committed transaction: sent from memory, without reading it back", async () => {
    const { sql, feed, ids, reads } = feedWithRecorder();
    await settle();
    await sql.transaction(async () => {
      await recordEvent(sql, 1, task(1));
      await recordEvent(sql, 1, task(2));
    });
    expect(ids()).toEqual([1, 2]);
    expect(reads).toEqual([]);
    feed.stop();
  });

  test("a rolled-back event whose seq a later transaction reused is not sent; the later one is", async () => {
    const { sql, feed, ids } = feedWithRecorder();
    await settle();
    const failing = sql.transaction(async () => {
      await recordEvent(sql, 1, task(1));
      throw new Error("rolled back");
    });
    await expect(failing).rejects.toThrow("rolled back");
    await sql.transaction(() => recordEvent(sql, 1, task(2)));
    await sql.transaction(() => recordEvent(sql, 1, task(3)));
    await settle();
    expect(ids()).toEqual([2, 3]);
    feed.stop();
  });

  test("an event written by someone else in between is read from the database, in its place", async () => {
    const { sqlite, sql, feed, ids, published, reads } = feedWithRecorder();
    await settle();
    await sql.transaction(() => recordEvent(sql, 1, task(1)));
    // Another process's event, committed before the feed looks.
    sqlite
      .query("INSERT INTO events (type, user_id, data, created_at) VALUES (?, ?, ?, ?)")
      .run("task.created", 1, JSON.stringify({ id: 2 }), 5);
    await sql.transaction(() => recordEvent(sql, 1, task(3)));
    await settle();
    expect(ids()).toEqual([1, 2, 3]);
    expect(published.map(({ message }) => message.seq)).toEqual([1, 2, 3]);
    expect(reads.length).toBeGreaterThan(0);
    feed.stop();
  });

  test("an event outside a transaction is refused: on PostgreSQL it could commit out of seq order", async () => {
    const { sqlite, sql, feed } = feedWithRecorder();
    await settle();
    await expect(recordEvent(sql, 1, task(1))).rejects.toThrow(
      "event task.created recorded outside deps.sql.transaction",
    );
    await expect(recordSessionsEnded(sql, 1, { userId: 7 })).rejects.toThrow(
      "event sessions.ended recorded outside",
    );
    expect(rows(sqlite)).toEqual([]);
    feed.stop();
  });

  test("a rollback after events were recorded has the feed read back, and sends each once", async () => {
    const { sql, feed, ids, reads } = feedWithRecorder();
    await settle();
    await sql.transaction(() => recordEvent(sql, 1, task(1)));
    const failing = sql.transaction(async () => {
      await recordEvent(sql, 1, task(2));
      throw new Error("rolled back");
    });
    await expect(failing).rejects.toThrow("rolled back");
    await settle();
    expect(ids()).toEqual([1]);
    expect(reads.length).toBeGreaterThan(0);
    feed.stop();
  });

  test("wakes during a read wait for it: every event once, in seq order", async () => {
    const { sql, feed, ids } = feedWithRecorder();
    await settle();
    feed.deliver();
    feed.deliver({ committed: [], unsure: true });
    for (let id = 1; id <= 5; id++) await sql.transaction(() => recordEvent(sql, 1, task(id)));
    feed.deliver();
    await settle();
    await settle();
    expect(ids()).toEqual([1, 2, 3, 4, 5]);
    feed.stop();
  });

  test("without a recorded list (the poll), every committed event is read in full", async () => {
    const { sql, feed, ids } = feedWithRecorder();
    await settle();
    feed.stop(); // no wake-ups: only explicit looks, as the poll makes
    for (let id = 1; id <= 3; id++) await sql.transaction(() => recordEvent(sql, 1, task(id)));
    feed.deliver();
    await settle();
    expect(ids()).toEqual([1, 2, 3]);
    feed.deliver();
    await settle();
    expect(ids()).toEqual([1, 2, 3]);
  });

  test("a failing read is logged, and the next look reads again", async () => {
    const { sqlite, sql, feed, ids } = feedWithRecorder();
    await settle();
    feed.stop();
    await sql.transaction(() => recordEvent(sql, 1, task(1)));
    sqlite.run("ALTER TABLE events RENAME TO events_away");
    feed.deliver();
    await settle();
    expect(ids()).toEqual([]);
    sqlite.run("ALTER TABLE events_away RENAME TO events");
    feed.deliver();
    await settle();
    expect(ids()).toEqual([1]);
  });
});

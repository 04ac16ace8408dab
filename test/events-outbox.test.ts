import { describe, expect, test } from "bun:test";
import { onEventsRecorded, recordEvent, recordSessionsEnded } from "../src/modules/realtime/events";
import { createFeed } from "../src/modules/realtime/feed";
import { createHub } from "../src/modules/realtime/hub";
import { writeTransaction } from "../src/platform/db/tx";
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

describe("the events outbox", () => {
  test("a feed is woken once per transaction, after it has committed", async () => {
    const sqlite = freshDatabase();
    const seen: number[] = [];
    onEventsRecorded(sqlite, () => seen.push(rows(sqlite).length));
    writeTransaction(sqlite, () => {
      recordEvent(sqlite, 1, { type: "board.updated", boardId: 1, data: { id: 1 } });
      recordEvent(sqlite, 1, { type: "board.updated", boardId: 1, data: { id: 1 } });
      expect(seen).toEqual([]);
    });
    await Promise.resolve();
    expect(seen).toEqual([2]);

    onEventsRecorded(sqlite, null);
    recordEvent(sqlite, 2, { type: "board.deleted", boardId: 1, data: { id: 1 } });
    await Promise.resolve();
    expect(seen).toEqual([2]);
  });

  test("ended sessions are recorded for their user, all or some, and none is no row", () => {
    const sqlite = freshDatabase();
    recordSessionsEnded(sqlite, 1, { userId: 7, sessionIds: [] });
    recordSessionsEnded(sqlite, 1, { userId: 7, sessionIds: [3, 4] });
    recordSessionsEnded(sqlite, 1, { userId: 8 });
    expect(rows(sqlite)).toEqual([
      { type: "sessions.ended", user_id: 7, data: { session_ids: [3, 4] } },
      { type: "sessions.ended", user_id: 8, data: { all: true } },
    ]);
  });
});

describe("the feed hands over what committed, once, in order", () => {
  function feedWithRecorder() {
    const sqlite = freshDatabase();
    const published: { topic: string; message: Record<string, unknown> }[] = [];
    const hub = {
      ...createHub(),
      publish: (topic: string, message: string) => {
        published.push({ topic, message: JSON.parse(message) });
      },
    };
    const feed = createFeed(sqlite, hub, createLogger("silent"));
    feed.start();
    const ids = () => published.map(({ message }) => (message.data as { id: number }).id);
    return { sqlite, feed, published, ids };
  }
  const task = (id: number) => ({
    type: "task.created" as const,
    boardId: null,
    userId: 1,
    data: { id },
  });

  test("a rolled-back event whose seq a later transaction reused is not sent; the later one is", async () => {
    const { sqlite, feed, ids } = feedWithRecorder();
    expect(() =>
      writeTransaction(sqlite, () => {
        recordEvent(sqlite, 1, task(1));
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    writeTransaction(sqlite, () => recordEvent(sqlite, 1, task(2)));
    writeTransaction(sqlite, () => recordEvent(sqlite, 1, task(3)));
    await Promise.resolve();
    expect(ids()).toEqual([2, 3]);
    feed.stop();
  });

  test("an event written by someone else in between is read from the database, in its place", async () => {
    const { sqlite, feed, ids, published } = feedWithRecorder();
    writeTransaction(sqlite, () => recordEvent(sqlite, 1, task(1)));
    // Another process's event, committed before the feed looks.
    sqlite
      .query("INSERT INTO events (type, user_id, data, created_at) VALUES (?, ?, ?, ?)")
      .run("task.created", 1, JSON.stringify({ id: 2 }), 5);
    writeTransaction(sqlite, () => recordEvent(sqlite, 1, task(3)));
    await Promise.resolve();
    expect(ids()).toEqual([1, 2, 3]);
    expect(published.map(({ message }) => message.seq)).toEqual([1, 2, 3]);
    feed.stop();
  });

  test("without a recorded list (the poll), every committed event is read in full", () => {
    const { sqlite, feed, ids } = feedWithRecorder();
    feed.stop(); // no wake-ups: only explicit looks, as the poll makes
    for (let id = 1; id <= 3; id++) recordEvent(sqlite, 1, task(id));
    feed.deliver();
    expect(ids()).toEqual([1, 2, 3]);
    feed.deliver();
    expect(ids()).toEqual([1, 2, 3]);
  });
});

describe("what writeTransaction saw commit is sent without reading it back", () => {
  function watchedFeed() {
    const sqlite = freshDatabase();
    const published: number[] = [];
    const hub = {
      ...createHub(),
      publish: (_topic: string, message: string) => {
        published.push((JSON.parse(message) as { data: { id: number } }).data.id);
      },
    };
    const reads: string[] = [];
    const query = sqlite.query.bind(sqlite);
    sqlite.query = ((text: string) => {
      if (/FROM events WHERE seq >/.test(text)) reads.push(text);
      return query(text);
    }) as typeof query;
    const feed = createFeed(sqlite, hub, createLogger("silent"));
    feed.start();
    return { sqlite, feed, published, reads };
  }
  const task = (id: number) => ({
    type: "task.created" as const,
    boardId: null,
    userId: 1,
    data: { id },
  });

  test("a committed writeTransaction: sent from memory", async () => {
    const { sqlite, feed, published, reads } = watchedFeed();
    writeTransaction(sqlite, () => {
      recordEvent(sqlite, 1, task(1));
      recordEvent(sqlite, 1, task(2));
    });
    await Promise.resolve();
    expect(published).toEqual([1, 2]);
    expect(reads).toEqual([]);
    feed.stop();
  });

  test("a transaction opened another way (its end unseen): read back, rolled-back events left out", async () => {
    const { sqlite, feed, published, reads } = watchedFeed();
    sqlite.transaction(() => recordEvent(sqlite, 1, task(1)))();
    expect(() =>
      sqlite.transaction(() => {
        // Nested: only the outermost transaction's end counts.
        writeTransaction(sqlite, () => recordEvent(sqlite, 1, task(2)));
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    await Promise.resolve();
    expect(published).toEqual([1]);
    expect(reads.length).toBeGreaterThan(0);
    feed.stop();
  });

  test("a rollback after a transaction opened another way committed: that one is still sent", async () => {
    const { sqlite, feed, published } = watchedFeed();
    sqlite.transaction(() => recordEvent(sqlite, 1, task(1)))();
    expect(() =>
      writeTransaction(sqlite, () => {
        recordEvent(sqlite, 1, task(2));
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    await Promise.resolve();
    expect(published).toEqual([1]);
    feed.stop();
  });

  test("a gap before the recorded events (another process wrote one) is read from the table", async () => {
    const { sqlite, feed, published, reads } = watchedFeed();
    sqlite
      .query("INSERT INTO events (type, user_id, data, created_at) VALUES (?, ?, ?, ?)")
      .run("task.created", 1, JSON.stringify({ id: 7 }), 5);
    writeTransaction(sqlite, () => recordEvent(sqlite, 1, task(8)));
    await Promise.resolve();
    expect(published).toEqual([7, 8]);
    expect(reads.length).toBeGreaterThan(0);
    feed.stop();
  });
});

import { describe, expect, test } from "bun:test";
import { onEventsRecorded, recordEvent, recordSessionsEnded } from "../src/modules/realtime/events";
import { writeTransaction } from "../src/platform/db/tx";
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

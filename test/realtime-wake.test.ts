import { describe, expect, test } from "bun:test";
import { recordEvent } from "../src/modules/realtime/events";
import { createFeed } from "../src/modules/realtime/feed";
import { createHub } from "../src/modules/realtime/hub";
import type { Sql } from "../src/platform/db/sql";
import { createSqliteSql } from "../src/platform/db/sqlite-sql";
import { createLogger } from "../src/platform/logging";
import { createLocalWake, type FeedWake } from "../src/platform/shared/wake";
import { freshDatabase } from "./support/database";
import { eventually } from "./support/wake-contract";

/**
 * The feed with a wake (several instances, decision 017): a commit that recorded events signals
 * every instance, and each instance's feed reads what it has not delivered. Two feeds over one
 * database, each on its own Sql, stand for two instances; the in-process wake stands for
 * LISTEN/NOTIFY or Redis, which have their own tests against real servers.
 */

/** A wake that counts its signals and forwards them to a shared one. */
function countingWake(shared: FeedWake) {
  let signals = 0;
  const wake: FeedWake = {
    signal() {
      signals += 1;
      shared.signal();
    },
    subscribe: (listener) => shared.subscribe(listener),
    close: () => shared.close(),
  };
  return { wake, signals: () => signals };
}

function instance(sql: Sql, wake: FeedWake | null) {
  const published: number[] = [];
  const hub = {
    ...createHub(),
    publish: (_topic: string, message: string) => {
      published.push((JSON.parse(message) as { seq: number }).seq);
    },
  };
  const feed = createFeed(sql, hub, createLogger("silent"), wake);
  return { feed, published };
}

const task = (id: number) => ({
  type: "task.created" as const,
  boardId: null,
  userId: 1,
  data: { id },
});

describe("the feed's wake", () => {
  test("a commit on A reaches B at once, in seq order; without the wake B waits for its poll", async () => {
    const sqlite = freshDatabase();
    const bus = createLocalWake(createLogger("silent"));
    const sqlA = createSqliteSql(sqlite);
    const a = countingWake(bus);
    const onA = instance(sqlA, a.wake);
    const onB = instance(createSqliteSql(sqlite), bus);
    const unwoken = instance(createSqliteSql(sqlite), null);
    for (const { feed } of [onA, onB, unwoken]) feed.start();
    await Bun.sleep(5);

    await sqlA.transaction(async () => {
      await recordEvent(sqlA, 1, task(1));
      await recordEvent(sqlA, 1, task(2));
    });
    await sqlA.transaction(() => recordEvent(sqlA, 1, task(3)));
    // A commit that recorded nothing signals nothing.
    await sqlA.transaction(async () => {});
    expect(a.signals()).toBe(2);
    expect(onA.published).toEqual([1, 2, 3]);
    await eventually(() => onB.published.length === 3, 500);
    expect(onB.published).toEqual([1, 2, 3]);
    expect(unwoken.published).toEqual([]);
    // The poll (once a second) still finds them.
    await eventually(() => unwoken.published.length === 3, 2500);
    expect(unwoken.published).toEqual([1, 2, 3]);
    for (const { feed } of [onA, onB, unwoken]) feed.stop();
  });

  test("a stopped feed no longer hears the wake, nor signals it", async () => {
    const sqlite = freshDatabase();
    const bus = createLocalWake(createLogger("silent"));
    const sqlA = createSqliteSql(sqlite);
    const a = countingWake(bus);
    const onA = instance(sqlA, a.wake);
    const onB = instance(createSqliteSql(sqlite), bus);
    onA.feed.start();
    onB.feed.start();
    await Bun.sleep(5);
    onA.feed.stop();
    onB.feed.stop();
    await sqlA.transaction(() => recordEvent(sqlA, 1, task(1)));
    bus.signal();
    await Bun.sleep(20);
    expect(a.signals()).toBe(0);
    expect(onB.published).toEqual([]);
  });
});

import { Database } from "bun:sqlite";
import { beforeEach, describe, expect, test } from "bun:test";
import type { Sql } from "../src/platform/db/sql";
import { createSqliteSql } from "../src/platform/db/sqlite-sql";

let sqlite: Database;
let sql: Sql;
let ends: string[];

beforeEach(() => {
  sqlite = new Database(":memory:", { strict: true });
  sqlite.run("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)");
  sql = createSqliteSql(sqlite);
  ends = [];
  sql.onTransactionEnd({
    committed: () => ends.push("committed"),
    rolledBack: () => ends.push("rolledBack"),
  });
});

const bodies = async () =>
  (await sql.all<{ body: string }>("SELECT body FROM notes ORDER BY id")).map((row) => row.body);

/** Lets every settled promise and queued continuation run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("statements", () => {
  test("all, get and run bind ? parameters and report changes", async () => {
    const inserted = await sql.run("INSERT INTO notes (body) VALUES (?), (?)", ["a", "b"]);
    expect(inserted.changes).toBe(2);
    expect(await sql.get<{ body: string }>("SELECT body FROM notes WHERE body = ?", ["b"])).toEqual(
      { body: "b" },
    );
    expect(await sql.get("SELECT body FROM notes WHERE body = ?", ["zzz"])).toBeNull();
    expect(await bodies()).toEqual(["a", "b"]);
    expect(await sql.get("SELECT 1 AS one")).toEqual({ one: 1 });
  });

  test("a failing statement rejects instead of throwing at the call", async () => {
    const call = sql.run("INSERT INTO missing (x) VALUES (1)");
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toThrow(/no such table/);
  });

  test("RETURNING hands back the inserted row", async () => {
    const row = await sql.get<{ id: number }>("INSERT INTO notes (body) VALUES (?) RETURNING id", [
      "x",
    ]);
    expect(row).toEqual({ id: 1 });
  });

  test("names its dialect and closes the connection", async () => {
    expect(sql.dialect).toBe("sqlite");
    await sql.close();
    expect(() => sqlite.run("SELECT 1")).toThrow();
  });
});

describe("transactions", () => {
  test("inTransaction: inside the work and its savepoints only, never in another context", async () => {
    expect(sql.inTransaction()).toBe(false);
    const elsewhere: boolean[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const open = sql.transaction(async () => {
      expect(sql.inTransaction()).toBe(true);
      await sql.transaction(async () => {
        expect(sql.inTransaction()).toBe(true);
      });
      await held;
      expect(sql.inTransaction()).toBe(true);
    });
    // Another request's code while the transaction is open is not part of it.
    await Promise.resolve().then(() => elsewhere.push(sql.inTransaction()));
    release();
    await open;
    expect(elsewhere).toEqual([false]);
    expect(sql.inTransaction()).toBe(false);
  });

  test("commit when the work resolves, and tell the listener after COMMIT", async () => {
    const result = await sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["one"]);
      expect(sqlite.inTransaction).toBe(true);
      expect(ends).toEqual([]);
      return 42;
    });
    expect(result).toBe(42);
    expect(sqlite.inTransaction).toBe(false);
    expect(await bodies()).toEqual(["one"]);
    expect(ends).toEqual(["committed"]);
  });

  test("roll back when the work throws, rethrow, and tell the listener", async () => {
    const failing = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["lost"]);
      throw new Error("boom");
    });
    await expect(failing).rejects.toThrow("boom");
    expect(await bodies()).toEqual([]);
    expect(ends).toEqual(["rolledBack"]);
  });

  test("the listener is told synchronously, before the caller's continuation runs", async () => {
    const order: string[] = [];
    sql.onTransactionEnd({
      committed: () => order.push("listener"),
      rolledBack: () => order.push("rolledBack"),
    });
    await sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["x"]);
    });
    order.push("caller");
    expect(order).toEqual(["listener", "caller"]);
  });

  test("a nested transaction is a savepoint: its rollback leaves the outer work", async () => {
    await sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["kept"]);
      const inner = sql.transaction(async () => {
        await sql.run("INSERT INTO notes (body) VALUES (?)", ["dropped"]);
        throw new Error("inner");
      });
      await expect(inner).rejects.toThrow("inner");
      await sql.transaction(async () => {
        await sql.run("INSERT INTO notes (body) VALUES (?)", ["nested"]);
      });
    });
    expect(await bodies()).toEqual(["kept", "nested"]);
    // Only the outermost end is told.
    expect(ends).toEqual(["committed"]);
  });

  test("a savepoint's rows go when the outer transaction rolls back", async () => {
    const failing = sql.transaction(async () => {
      await sql.transaction(async () => {
        await sql.run("INSERT INTO notes (body) VALUES (?)", ["inner"]);
      });
      throw new Error("outer");
    });
    await expect(failing).rejects.toThrow("outer");
    expect(await bodies()).toEqual([]);
    expect(ends).toEqual(["rolledBack"]);
  });

  test("a failing COMMIT rolls back and rejects", async () => {
    sqlite.run("PRAGMA foreign_keys = ON");
    sqlite.run("CREATE TABLE parents (id INTEGER PRIMARY KEY)");
    sqlite.run(
      "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)",
    );
    const failing = sql.transaction(async () => {
      await sql.run("INSERT INTO children (parent_id) VALUES (?)", [7]);
    });
    await expect(failing).rejects.toThrow(/FOREIGN KEY/);
    expect(sqlite.inTransaction).toBe(false);
    expect(ends).toEqual(["rolledBack"]);
    expect(await sql.all("SELECT id FROM children")).toEqual([]);
  });

  test("a BEGIN that fails rejects and leaves the connection usable", async () => {
    sqlite.run("BEGIN");
    await expect(sql.transaction(async () => 1)).rejects.toThrow(/within a transaction/);
    sqlite.run("ROLLBACK");
    expect(await sql.transaction(async () => 2)).toBe(2);
  });
});

describe("one connection, one transaction at a time", () => {
  test("a read from another context waits for the open transaction, then sees its commit", async () => {
    let letGo = () => {};
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const writing = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["pending"]);
      await held;
    });
    await settle();
    let seen: string[] | null = null;
    const reading = bodies().then((rows) => {
      seen = rows;
    });
    await settle();
    // Not answered while the row is uncommitted.
    expect(seen).toBeNull();
    letGo();
    await Promise.all([writing, reading]);
    expect(seen as string[] | null).toEqual(["pending"]);
  });

  test("a write from another context does not land in the open transaction", async () => {
    let letGo = () => {};
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const failing = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["rolled back"]);
      await held;
      throw new Error("abort");
    });
    await settle();
    const outside = sql.run("INSERT INTO notes (body) VALUES (?)", ["outside"]);
    await settle();
    letGo();
    await expect(failing).rejects.toThrow("abort");
    await outside;
    expect(await bodies()).toEqual(["outside"]);
  });

  test("concurrent transactions and calls run in arrival order", async () => {
    const order: string[] = [];
    let letGo = () => {};
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const first = sql.transaction(async () => {
      order.push("first begins");
      await held;
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["first"]);
      order.push("first ends");
    });
    const second = sql.transaction(async () => {
      order.push("second begins");
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["second"]);
      order.push("second ends");
    });
    // Waits behind the first two; the third's row is not there yet, so it ran before the third.
    const read = bodies();
    const third = sql.transaction(async () => {
      order.push("third begins");
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["third"]);
    });
    await settle();
    expect(order).toEqual(["first begins"]);
    letGo();
    await Promise.all([first, second, read, third]);
    expect(order).toEqual([
      "first begins",
      "first ends",
      "second begins",
      "second ends",
      "third begins",
    ]);
    expect(await read).toEqual(["first", "second"]);
    expect(ends).toEqual(["committed", "committed", "committed"]);
  });

  test("a waiting transaction still runs when the one before it rolled back", async () => {
    const first = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["a"]);
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["a"]);
    });
    const second = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["b"]);
    });
    await expect(first).rejects.toThrow(/UNIQUE/);
    await second;
    expect(await bodies()).toEqual(["b"]);
    expect(ends).toEqual(["rolledBack", "committed"]);
  });

  test("a call detached from a transaction that has ended takes the normal path", async () => {
    let detached: Promise<unknown> | null = null;
    let letGo = () => {};
    const later = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    await sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["inside"]);
      detached = later.then(() => sql.run("INSERT INTO notes (body) VALUES (?)", ["detached"]));
    });
    // A second transaction is open when the detached call runs: the call waits for it rather
    // than joining it, so its row survives that transaction's rollback.
    let letSecondGo = () => {};
    const secondHeld = new Promise<void>((resolve) => {
      letSecondGo = resolve;
    });
    const second = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["second"]);
      await secondHeld;
      throw new Error("second fails");
    });
    await settle();
    letGo();
    await settle();
    letSecondGo();
    await expect(second).rejects.toThrow("second fails");
    await detached;
    expect(await bodies()).toEqual(["inside", "detached"]);
  });

  test("a transaction begun from a detached context waits its turn as an outermost one", async () => {
    let detached: Promise<unknown> | null = null;
    await sql.transaction(async () => {
      detached = settle().then(() =>
        sql.transaction(async () => {
          await sql.run("INSERT INTO notes (body) VALUES (?)", ["later"]);
        }),
      );
    });
    await detached;
    expect(await bodies()).toEqual(["later"]);
    expect(ends).toEqual(["committed", "committed"]);
  });
});

describe("the listener and the waiting calls", () => {
  test("the listener hears of the end before any waiting transaction begins", async () => {
    const seen: boolean[] = [];
    sql.onTransactionEnd({
      committed: () => seen.push(sqlite.inTransaction),
      rolledBack: () => seen.push(sqlite.inTransaction),
    });
    let letGo = () => {};
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const first = sql.transaction(async () => {
      await held;
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["first"]);
    });
    const second = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES (?)", ["second"]);
    });
    letGo();
    await Promise.all([first, second]);
    // Told with no transaction open: the second had not begun yet.
    expect(seen).toEqual([false, false]);
  });
});

describe("read transactions", () => {
  test("inside a transaction it joins it, with no savepoint of its own", async () => {
    await sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES ('inside')");
      expect(await sql.readTransaction(async () => await bodies())).toEqual(["inside"]);
      expect(sqlite.inTransaction).toBe(true);
    });
    expect(ends).toEqual(["committed"]);
  });

  test("outside, it is a transaction of its own that waits its turn and sees one state", async () => {
    const order: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writer = sql.transaction(async () => {
      await sql.run("INSERT INTO notes (body) VALUES ('first')");
      await held;
      order.push("writer done");
    });
    const reader = sql.readTransaction(async () => {
      order.push("reader starts");
      const seen = await bodies();
      await settle();
      return [seen, await bodies()];
    });
    await settle();
    expect(order).toEqual([]);
    release();
    await writer;
    expect(await reader).toEqual([["first"], ["first"]]);
    expect(order).toEqual(["writer done", "reader starts"]);
    expect(ends).toEqual(["committed", "committed"]);
  });
});

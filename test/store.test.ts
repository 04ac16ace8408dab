import { describe, expect, test } from "bun:test";
import { loadConfig } from "../src/platform/config";
import { describeStore, migrateStore, openStore } from "../src/platform/db/store";

// Which database the configuration opens. PostgreSQL's pool connects on its first query, so
// opening one needs no server; migrating does, and an unreachable one is an error, not a hang.
describe("the configured database", () => {
  test("DATABASE_URL opens PostgreSQL, with no raw SQLite connection", async () => {
    const config = loadConfig({ DATABASE_URL: "postgres://kanbun:pw@127.0.0.1:1/kanbun" });
    const store = await openStore(config);
    try {
      expect(store.sql.dialect).toBe("postgres");
      expect(store.sqlite).toBeNull();
      const failure = await migrateStore({ ...store, config }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
    } finally {
      await store.sql.close();
    }
  });

  test("unset, it opens the SQLite file at DATABASE_PATH", async () => {
    const config = loadConfig({ DATABASE_PATH: ":memory:" });
    const store = await openStore(config);
    expect(store.sql.dialect).toBe("sqlite");
    expect(store.sqlite).not.toBeNull();
    expect((await migrateStore({ ...store, config })).applied.length).toBeGreaterThan(0);
    await store.sql.close();
  });

  test("described without the password", () => {
    expect(
      describeStore({ databasePath: "x.db", databaseUrl: "postgresql://k:s3cret@db:6543/kb" }),
    ).toBe("postgres://db:6543/kb");
    expect(describeStore({ databasePath: "/var/lib/kanbun/kanbun.db", databaseUrl: null })).toBe(
      "/var/lib/kanbun/kanbun.db",
    );
  });
});

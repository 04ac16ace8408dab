import { Database } from "bun:sqlite";
import { applyPragmas } from "../../src/platform/db/client";
import { migrate } from "../../src/platform/db/migrate";

let snapshot: Uint8Array | null = null;

/**
 * A fresh, fully migrated in-memory database. Migrations run once per test process; every call
 * deserialises a private copy of the result, so tests share nothing and touch no disk.
 */
export function freshDatabase(): Database {
  if (!snapshot) {
    const template = new Database(":memory:");
    migrate(template);
    snapshot = template.serialize();
    template.close();
  }
  const sqlite = Database.deserialize(snapshot, { strict: true });
  applyPragmas(sqlite, false);
  return sqlite;
}

import { Database } from "bun:sqlite";
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { planCopy } from "../../src/platform/db/copy-plan";
import { openCopySource } from "../../src/platform/db/copy-source";
import { createPostgresSql } from "../../src/platform/db/postgres-sql";
import { createTestContext } from "../support/app";
import { addMember, createBoard, createCard, createList } from "../support/boards";
import { sqliteOf } from "../support/dialect";
import { createTask, createUser } from "../support/factories";
import { comment } from "../support/notifications";

/** Words of the copied data that tests look for on PostgreSQL. */
export const FIXTURE = {
  taskTitle: `Plan the "launch" party 🚀 l'été`,
  taskDescription: "C:\\temp\\x; DROP TABLE users; -- \n second line \t tab",
  commentBody: "Looks good 👍 — \"quoted\" and 'single'",
  fullName: "Zoë O'Brien 🧑‍💻",
};

/**
 * A Kanbun database written through the real app (accounts, sessions, tasks with tags, a board
 * with members, lists, cards, comments, notifications, activity, events, jobs, idempotency
 * keys, failed logins), plus direct rows for the tables the app fills only later (bans, reset
 * tokens, reminders, unsubscribe tokens). Every table holds rows, and AUTOINCREMENT's
 * high-water marks run past the ids left (a deleted account, pruned events). Written to
 * `folder/kanbun.db`, whose path it returns.
 */
export async function writeCopyFixture(folder: string): Promise<string> {
  const ctx = await createTestContext(
    {
      RATE_LIMIT_MAX: "0",
      AUTH_RATE_LIMIT_MAX: "0",
    },
    { sqliteOnly: true },
  );
  const owner = await createUser(ctx, { full_name: FIXTURE.fullName });
  const alice = await createUser(ctx);
  const task = await createTask(ctx, owner, {
    title: FIXTURE.taskTitle,
    description: FIXTURE.taskDescription,
    tags: ["home", "Émoji ✨"],
    due_date: "2026-12-24",
    priority: 3,
  });
  await createTask(ctx, alice, { title: "Alice's own" });
  const board = await createBoard(ctx, owner, { name: "Roadmap 2027", description: "Q1 & Q2" });
  await addMember(ctx, owner, board.id, alice, "editor");
  const list = await createList(ctx, owner, board.id, { name: "Doing" });
  const card = await createCard(ctx, owner, list.id, { title: "Ship it", assignee_id: alice.id });
  await comment(ctx, alice, card.id, FIXTURE.commentBody);
  await comment(ctx, owner, task.id, "A note to self");
  const replayed = await ctx.request("/api/v1/tasks", {
    token: owner.accessToken,
    body: { title: "Once only" },
    headers: { "idempotency-key": "copy-fixture-1" },
  });
  if (replayed.status !== 201) throw new Error(`idempotent POST: ${replayed.status}`);
  await ctx.request("/api/v1/auth/login", { body: { email: alice.email, password: "wrong" } });

  const sqlite = sqliteOf(ctx.deps);
  addDirectRows(sqlite, owner.id, task.id, ctx.clock.now());
  // Gone rows whose ids must not be handed out again on PostgreSQL.
  const leaving = await createUser(ctx);
  sqlite.run("DELETE FROM users WHERE id = ?", [leaving.id]);
  sqlite.run("DELETE FROM events WHERE seq > (SELECT max(seq) - 2 FROM events)");
  // Retention's mark: the oldest event is gone, and clients asking from before it must refetch.
  sqlite.run("DELETE FROM events WHERE seq = 1");
  sqlite.run("UPDATE event_log SET pruned_through = 1");

  const file = join(folder, "kanbun.db");
  writeFileSync(file, sqlite.serialize());
  sqlite.close();
  return file;
}

function addDirectRows(sqlite: Database, userId: number, taskId: number, now: number): void {
  sqlite.run(
    "INSERT INTO bans (ip, reason, created_at, expires_at) VALUES ('203.0.113.9', 'too many failures', ?, ?)",
    [now, now + 3_600_000],
  );
  sqlite.run(
    "INSERT INTO password_reset_tokens (user_id, token_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)",
    [userId, "f".repeat(64), now, now + 600_000],
  );
  sqlite.run(
    "INSERT INTO due_reminders (task_id, user_id, due_date, created_at) VALUES (?, ?, ?, ?)",
    [taskId, userId, 1_798_070_400_000, now],
  );
  sqlite.run("INSERT INTO unsubscribe_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)", [
    "e".repeat(64),
    userId,
    now,
  ]);
  sqlite.run(
    `INSERT INTO one_time_codes (user_id, purpose, code_hash, email, created_at, expires_at)
     VALUES (?, 'password_reset', ?, 'x@example.com', ?, ?)`,
    [userId, "d".repeat(64), now, now + 600_000],
  );
  // Empty on one instance (its counters are in memory), but a table like any other to the copy.
  sqlite.run("INSERT INTO shared_counters (key, count, reset_at) VALUES (?, ?, ?)", [
    "rate:203.0.113.9",
    3,
    now + 60_000,
  ]);
}

/** The tables the copy plans for the database `file`, with their rows in its snapshot. */
export function copiedTables(file: string) {
  const source = openCopySource(file);
  source.close();
  return planCopy(source.tables);
}

/** Expects every copied table to hold the same rows, column for column, on both sides. */
export async function expectSameRows(file: string, url: string): Promise<void> {
  const sqlite = new Database(file, { readonly: true, strict: true });
  const sql = createPostgresSql(url, { max: 1 });
  try {
    for (const table of copiedTables(file)) {
      const columns = table.columns.map((column) => `"${column.name}"`).join(", ");
      const query = `SELECT ${columns} FROM "${table.name}"`;
      const before = sqlite.query<Record<string, unknown>, []>(query).all();
      const after = await sql.all<Record<string, unknown>>(query);
      expect({ table: table.name, rows: sorted(after) }).toEqual({
        table: table.name,
        rows: sorted(before),
      });
    }
  } finally {
    sqlite.close();
    await sql.close();
  }
}

/** Rows in one order whatever the database's collation. */
function sorted(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows
    .map((row) => ({ key: JSON.stringify(Object.values(row)), row }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.row);
}

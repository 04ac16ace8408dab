import type { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { SORT_FIELDS } from "../src/modules/tasks/schema";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createBoard, createCard, createList, putMember } from "./support/boards";
import { onPostgres, sqliteOf } from "./support/dialect";
import { createTask, createUser } from "./support/factories";

/**
 * Every statement the board routes run, and GET /tasks for a caller who belongs to boards, must
 * reach each table through an index: a full scan would read everyone's rows. The statements are
 * captured as the routes run them, then explained.
 */

// Real tables and the aliases the SQL gives them; subqueries and FTS5 tables may be scanned.
const TABLES = new Set(
  "tasks t task_tags tt boards b board_members m lists comments c users u activity a".split(" "),
);

function captureStatements(ctx: TestContext) {
  const seen = new Set<string>();
  const original = sqliteOf(ctx.deps).query.bind(sqliteOf(ctx.deps));
  sqliteOf(ctx.deps).query = ((text: string) => {
    if (/^\s*(SELECT|UPDATE|DELETE|INSERT)/i.test(text)) seen.add(text);
    return original(text);
  }) as typeof Database.prototype.query;
  return {
    seen,
    stop: () => {
      sqliteOf(ctx.deps).query = original as typeof Database.prototype.query;
    },
  };
}

function fullScans(ctx: TestContext, text: string): string[] {
  const plan = sqliteOf(ctx.deps)
    .prepare<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${text}`)
    .all()
    .map((row) => row.detail);
  if (process.env.SHOW_PLANS) console.log(text.replace(/\s+/g, " "), "\n  ", plan.join("\n   "));
  return plan.filter((detail) => {
    const scanned = /^SCAN (\w+)/.exec(detail)?.[1];
    return scanned !== undefined && TABLES.has(scanned) && !detail.includes("VIRTUAL TABLE");
  });
}

// SQLite by nature: SQLite's query plans (EXPLAIN QUERY PLAN); PostgreSQL plans its own way.
test.skipIf(onPostgres)(
  "board routes, and GET /tasks for a board member, reach every table through an index",
  async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const alice = await createUser(ctx);
    const bob = await createUser(ctx);
    await createTask(ctx, alice, {
      title: "Plan personal",
      tags: ["work"],
      due_date: "2026-12-01",
    });
    const board = await createBoard(ctx, alice, { name: "Plan board" });
    await putMember(ctx, board.id, bob, "editor");
    const todo = await createList(ctx, alice, board.id);
    const done = await createList(ctx, alice, board.id);
    const cards = [];
    for (let i = 0; i < 4; i++) {
      cards.push(
        await createCard(ctx, alice, todo.id, { title: `Plan card ${i}`, tags: ["work"] }),
      );
    }
    const [first, second] = cards;
    if (!first || !second) throw new Error("no cards");

    const capture = captureStatements(ctx);
    const as = (token: string, path: string, init: Parameters<TestContext["request"]>[1] = {}) =>
      ctx.request(path, { token, ...init });
    const a = alice.accessToken;
    const calls: [string, string, Parameters<TestContext["request"]>[1]?][] = [
      [a, "/api/v1/boards"],
      [a, `/api/v1/boards/${board.id}`],
      [a, `/api/v1/boards/${board.id}/members`],
      [a, `/api/v1/boards/${board.id}/activity`],
      [a, `/api/v1/lists/${todo.id}`],
      [a, `/api/v1/tasks/${first.id}/comments`, { body: { body: "Plan comment" } }],
      [a, `/api/v1/tasks/${first.id}/comments`],
      [a, `/api/v1/search?q=plan`],
      [
        a,
        `/api/v1/tasks/${first.id}`,
        { method: "PATCH", body: { list_id: done.id, position: 0 } },
      ],
      [a, `/api/v1/tasks/${second.id}`, { method: "PATCH", body: { position: 2 } }],
      [a, `/api/v1/lists/${done.id}`, { method: "PATCH", body: { position: 0 } }],
      [
        a,
        `/api/v1/boards/${board.id}/members/${bob.id}`,
        { method: "PATCH", body: { role: "viewer" } },
      ],
      [a, `/api/v1/tasks/${second.id}`, { method: "DELETE" }],
      [a, `/api/v1/lists/${done.id}?cascade=true`, { method: "DELETE" }],
      [a, "/api/v1/users/me/export"],
    ];
    const queries = [
      "",
      "completed=false",
      "priority=2",
      "tag=work",
      "due_before=2027-01-01",
      "overdue=true",
      "assignee_id=me",
      `board_id=${board.id}`,
      `list_id=${todo.id}`,
      "q=plan",
      "q=plan&sort=-priority",
      `q=plan&board_id=${board.id}`,
      ...SORT_FIELDS.flatMap((field) => [`sort=${field}`, `sort=-${field}`]),
    ];
    for (const query of queries) calls.push([a, `/api/v1/tasks?${query}`]);
    for (const [token, path, init] of calls) {
      const response = await as(token, path, init);
      expect({ path, status: response.status < 300 }).toEqual({ path, status: true });
    }
    // Deleting an account lets go of its boards: those statements too.
    await as(bob.accessToken, "/api/v1/users/me", {
      method: "DELETE",
      body: { password: bob.password },
    });
    capture.stop();

    expect(capture.seen.size).toBeGreaterThan(40);
    for (const text of capture.seen) {
      expect({ text, scans: fullScans(ctx, text) }).toEqual({ text, scans: [] });
    }
  },
);

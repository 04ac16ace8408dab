import type { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { SORT_FIELDS } from "../src/modules/tasks/schema";
import { createTestContext } from "./support/app";
import { onPostgres, sqliteOf } from "./support/dialect";
import { createTask, createUser } from "./support/factories";
import { crowdDatabase } from "./support/search";

/**
 * Every statement GET /tasks runs must reach `tasks` through an index: a full scan would read
 * every user's tasks. The statements are captured as the route runs them, then explained.
 */
// SQLite by nature: SQLite's query plans (EXPLAIN QUERY PLAN); PostgreSQL plans its own way.
test.skipIf(onPostgres)(
  "every list query reaches tasks through an index, for every filter and sort",
  async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    for (let i = 0; i < 5; i++) {
      await createTask(ctx, user, {
        title: `Plan item ${i}`,
        tags: ["work"],
        priority: i % 5,
        due_date: "2026-12-01",
      });
    }
    const seen = new Set<string>();
    const original = sqliteOf(ctx.deps).query.bind(sqliteOf(ctx.deps));
    sqliteOf(ctx.deps).query = ((text: string) => {
      if (/\bFROM tasks\b|\btasks_fts/.test(text)) seen.add(text);
      return original(text);
    }) as typeof Database.prototype.query;

    const queries = [
      "",
      "completed=false",
      "priority=2",
      "tag=work",
      "due_before=2027-01-01",
      "due_after=2026-01-01",
      "overdue=true",
      "overdue=false",
      "assignee_id=me",
      "board_id=1",
      "list_id=1",
      "q=plan",
      "q=plan&sort=-priority",
      "q=plan&offset=50",
      "offset=50",
      ...SORT_FIELDS.flatMap((field) => [`sort=${field}`, `sort=-${field}`]),
    ];
    const run = async (list: string[]) => {
      for (const search of list) {
        const response = await ctx.request(`/api/v1/tasks?${search}`, { token: user.accessToken });
        expect(response.status).toBe(200);
      }
    };
    await run(queries);
    // Among many other users' tasks a search takes its other ranking path: explain that one too.
    await crowdDatabase(ctx, { callerTasks: 5, text: "plan item work" });
    await run([
      "q=plan",
      "q=plan%20item",
      "q=plan&tag=work",
      "q=plan&completed=false",
      "q=plan&offset=50",
      "q=plan&sort=title",
    ]);
    sqliteOf(ctx.deps).query = original as typeof Database.prototype.query;
    expect(seen.size).toBeGreaterThan(10);

    for (const text of seen) {
      const plan = sqliteOf(ctx.deps)
        .prepare<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${text}`)
        .all()
        .map((row) => row.detail);
      const fullScans = plan.filter((detail) => /^SCAN (t|tasks|tt|task_tags)\b/.test(detail));
      expect({ text, fullScans }).toEqual({ text, fullScans: [] });
      if (process.env.SHOW_PLANS)
        console.log(text.replace(/\s+/g, " "), "\n  ", plan.join("\n   "));
    }
  },
);

import { BUILTIN_BM25_FROM_SHARE } from "../../src/modules/tasks/search";
import type { TestContext } from "./app";
import { sqliteOf } from "./dialect";
import { createUser, type TestUser } from "./factories";

/**
 * Adds another user with so many tasks that a caller with up to `callerTasks` tasks sees less
 * than the share from which searches rank with bm25(), so they rank with search-rank.ts. The
 * tasks are written straight to the database in one statement (the index triggers still run): a
 * thousand of them through HTTP would take seconds. Each holds `text` in title and description.
 */
export async function crowdDatabase(
  ctx: TestContext,
  { callerTasks, text }: { callerTasks: number; text: string },
): Promise<TestUser> {
  const other = await createUser(ctx);
  const count = Math.ceil((callerTasks + 1) / BUILTIN_BM25_FROM_SHARE);
  const now = ctx.clock.now();
  const rows = Array.from({ length: count }, (_, i) => [`${text} ${i}`, `${text} again`]);
  // One statement for all of them, on either database.
  const values = rows.map(() => "(?, ?, ?, ?, ?)").join(", ");
  await ctx.deps.sql.run(
    `INSERT INTO tasks (owner_id, title, description, created_at, updated_at) VALUES ${values}`,
    rows.flatMap(([title, description]) => [other.id, title ?? "", description ?? "", now, now]),
  );
  return other;
}

/** The SQL text of every statement the app prepares while `run` runs. */
export async function statementsDuring(
  ctx: TestContext,
  run: () => Promise<unknown>,
): Promise<string[]> {
  const seen: string[] = [];
  const sqlite = sqliteOf(ctx.deps);
  const original = sqlite.query.bind(sqlite);
  sqlite.query = ((text: string) => {
    seen.push(text);
    return original(text);
  }) as typeof sqlite.query;
  try {
    await run();
  } finally {
    sqlite.query = original as typeof sqlite.query;
  }
  return seen;
}

/** Tasks the search index holds with `word` (letters only): FTS5's rows, or PostgreSQL's vectors. */
export async function countIndexedTasks(ctx: TestContext, word: string): Promise<number> {
  const where =
    ctx.deps.sql.dialect === "postgres"
      ? "search @@ to_tsquery('simple', ?)"
      : "tasks_fts MATCH ? AND rowid > 0";
  const table = ctx.deps.sql.dialect === "postgres" ? "tasks" : "tasks_fts";
  const row = await ctx.deps.sql.get<{ n: number }>(
    `SELECT count(*) AS n FROM ${table} WHERE ${where}`,
    [word],
  );
  return row?.n ?? -1;
}

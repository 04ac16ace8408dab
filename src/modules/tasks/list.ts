import { inArray, type SQL, sql } from "drizzle-orm";
import type { ActorContext } from "../../platform/context";
import { tasks } from "../../platform/db/tables";
import { ValidationFailed } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { parseIsoDate } from "./dates";
import { presentTask, type TaskView } from "./present";
import type { SORT_FIELDS } from "./schema";
import { tagsOf } from "./service";

type SortField = (typeof SORT_FIELDS)[number];

export interface ListTasksInput {
  limit?: number;
  offset?: number;
  completed?: boolean;
  priority?: number;
  tag?: string;
  due_before?: string;
  due_after?: string;
  overdue?: boolean;
  board_id?: number;
  list_id?: number;
  assignee_id?: number | "me";
  q?: string;
  sort?: SortField | `-${SortField}`;
}

export interface TaskPage {
  items: TaskView[];
  total: number;
  limit: number;
  offset: number;
}

const SORT_SQL: Record<SortField, SQL> = {
  created_at: sql`t.created_at`,
  updated_at: sql`t.updated_at`,
  due_date: sql`t.due_date`,
  priority: sql`t.priority`,
  title: sql`t.title COLLATE NOCASE`,
  position: sql`t.position`,
};

/**
 * One page of the tasks the caller can see, filtered and sorted; `q` ranks by bm25 relevance
 * unless an explicit sort is given. Ids are selected first, then their rows and tags.
 */
export function listTasks({ deps, actor }: ActorContext, input: ListTasksInput): TaskPage {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const ftsQuery = input.q === undefined ? undefined : toFtsQuery(input.q);
  if (ftsQuery === null) return { items: [], total: 0, limit, offset };

  const filters = conditions(input, actor.userId, deps.clock.now());
  if (ftsQuery) filters.push(sql`f.tasks_fts MATCH ${ftsQuery}`);
  const where = sql.join(filters, sql` AND `);
  const from = ftsQuery ? sql`tasks t JOIN tasks_fts f ON f.rowid = t.id` : sql`tasks t`;
  const order = orderBy(input.sort, ftsQuery !== undefined);

  const total =
    deps.db.all<{ total: number }>(sql`SELECT count(*) AS total FROM ${from} WHERE ${where}`)[0]
      ?.total ?? 0;
  const ids = deps.db
    .all<{ id: number }>(
      sql`SELECT t.id AS id FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    )
    .map((row) => row.id);
  if (ids.length === 0) return { items: [], total, limit, offset };

  const rows = new Map(
    deps.db
      .select()
      .from(tasks)
      .where(inArray(tasks.id, ids))
      .all()
      .map((row) => [row.id, row]),
  );
  const tags = tagsOf(deps.db, ids);
  const items = ids.flatMap((id) => {
    const row = rows.get(id);
    return row ? [presentTask(row, tags.get(id) ?? [])] : [];
  });
  return { items, total, limit, offset };
}

function conditions(input: ListTasksInput, userId: number, now: number): SQL[] {
  const where: SQL[] = [sql`t.owner_id = ${userId}`];
  if (input.completed !== undefined) where.push(sql`t.completed = ${input.completed ? 1 : 0}`);
  if (input.priority !== undefined) where.push(sql`t.priority = ${input.priority}`);
  if (input.tag !== undefined) {
    where.push(
      sql`EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id AND tt.tag = ${input.tag.trim().toLowerCase()})`,
    );
  }
  if (input.due_before !== undefined) {
    where.push(sql`t.due_date < ${queryDate("due_before", input.due_before)}`);
  }
  if (input.due_after !== undefined) {
    where.push(sql`t.due_date > ${queryDate("due_after", input.due_after)}`);
  }
  if (input.overdue === true) where.push(sql`t.completed = 0 AND t.due_date < ${now}`);
  if (input.overdue === false)
    where.push(sql`NOT (t.completed = 0 AND t.due_date IS NOT NULL AND t.due_date < ${now})`);
  if (input.board_id !== undefined) where.push(sql`t.board_id = ${input.board_id}`);
  if (input.list_id !== undefined) where.push(sql`t.list_id = ${input.list_id}`);
  if (input.assignee_id !== undefined) {
    where.push(sql`t.assignee_id = ${input.assignee_id === "me" ? userId : input.assignee_id}`);
  }
  return where;
}

function queryDate(name: string, text: string): number {
  const ms = parseIsoDate(text);
  if (ms === null) {
    throw new ValidationFailed(`Invalid query parameter ${name}: Not a real date`, [
      { path: `/${name}`, message: "Not a real date between years 0000 and 9999" },
    ]);
  }
  return ms;
}

function orderBy(sort: ListTasksInput["sort"], searching: boolean): SQL {
  // A hit in the title counts ten times one in the description.
  if (sort === undefined && searching) return sql`bm25(tasks_fts, 10.0, 1.0), t.id DESC`;
  const spec = sort ?? "-created_at";
  const descending = spec.startsWith("-");
  const field = (descending ? spec.slice(1) : spec) as SortField;
  const direction = descending ? sql`DESC` : sql`ASC`;
  // Tasks without a due date come last whichever way the list is sorted.
  const nullsLast = field === "due_date" ? sql`t.due_date IS NULL, ` : sql``;
  return sql`${nullsLast}${SORT_SQL[field]} ${direction}, t.id ${direction}`;
}

const MAX_SEARCH_TERMS = 16;

/**
 * Turns free text into a safe FTS5 query: words only, each quoted (so FTS operators and quotes in
 * the input mean nothing) and matched as a prefix ("plan" finds "planning"); all must match.
 * Null when the text has no searchable word.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.normalize("NFKC").match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, MAX_SEARCH_TERMS)
    .map((word) => `"${word}"*`)
    .join(" ");
}

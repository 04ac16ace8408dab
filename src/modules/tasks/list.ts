import type { Database } from "bun:sqlite";
import { type SQL, sql } from "drizzle-orm";
import type { ActorContext } from "../../platform/context";
import { queryAll } from "../../platform/db/fast-query";
import { ValidationFailed } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { parseIsoDate } from "./dates";
import { presentTask, type TaskView } from "./present";
import { selectTags, selectTaskRows } from "./rows";
import type { SORT_FIELDS } from "./schema";

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
 * unless an explicit sort is given.
 *
 * This is the hottest query of the API, so it runs on cached bun:sqlite statements: first the
 * page's ids and the total, then the rows and tags by id.
 */
export function listTasks({ deps, actor }: ActorContext, input: ListTasksInput): TaskPage {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const ftsQuery = input.q === undefined ? undefined : toFtsQuery(input.q);
  if (ftsQuery === null) return { items: [], total: 0, limit, offset };

  const where = sql.join(conditions(input, actor.userId, deps.clock.now()), sql` AND `);
  const { ids, total } = ftsQuery
    ? searchPage(deps.sqlite, ftsQuery, where, input.sort, limit, offset)
    : listPage(deps.sqlite, where, input.sort, limit, offset);
  if (ids.length === 0) return { items: [], total, limit, offset };

  const byId = new Map(selectTaskRows(deps.sqlite, ids).map((row) => [row.id, row]));
  const tags = selectTags(deps.sqlite, ids);
  const items = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [presentTask(row, tags.get(id) ?? [])] : [];
  });
  return { items, total, limit, offset };
}

interface PageIds {
  ids: number[];
  total: number;
}

/** A plain listing: the count and the page each walk the owner's index (the page only its head). */
function listPage(
  sqlite: Database,
  where: SQL,
  sort: ListTasksInput["sort"],
  limit: number,
  offset: number,
): PageIds {
  const total =
    queryAll<{ total: number }>(
      sqlite,
      sql`SELECT count(*) AS total FROM tasks t WHERE ${where}`,
    )[0]?.total ?? 0;
  if (total <= offset) return { ids: [], total };
  const ids = queryAll<{ id: number }>(
    sqlite,
    sql`SELECT t.id AS id FROM tasks t WHERE ${where} ORDER BY ${orderBy(sort)} LIMIT ${limit} OFFSET ${offset}`,
  ).map((row) => row.id);
  return { ids, total };
}

/**
 * A search: the full-text scan is narrowed to the caller's own rows before ranking, so a common
 * word across 100k tasks costs what the caller's matches cost, not what everyone's do. The page
 * and the total come from one pass (a window count), since every match is ranked anyway.
 */
function searchPage(
  sqlite: Database,
  ftsQuery: string,
  where: SQL,
  sort: ListTasksInput["sort"],
  limit: number,
  offset: number,
): PageIds {
  const matching = sql`SELECT rowid AS id, bm25(tasks_fts, 10.0, 1.0) AS score FROM tasks_fts
    WHERE tasks_fts MATCH ${ftsQuery} AND +rowid IN (SELECT t.id FROM tasks t WHERE ${where})`;
  const page =
    sort === undefined
      ? sql`SELECT m.id AS id, count(*) OVER () AS total FROM (${matching}) m
            ORDER BY m.score, m.id DESC LIMIT ${limit} OFFSET ${offset}`
      : sql`SELECT t.id AS id, count(*) OVER () AS total FROM tasks t
            WHERE t.id IN (SELECT id FROM (${matching})) ORDER BY ${orderBy(sort)}
            LIMIT ${limit} OFFSET ${offset}`;
  const rows = queryAll<{ id: number; total: number }>(sqlite, page);
  // A page past the end has no row to carry the total: count separately only then.
  const total =
    rows[0]?.total ??
    (offset === 0
      ? 0
      : (queryAll<{ total: number }>(sqlite, sql`SELECT count(*) AS total FROM (${matching})`)[0]
          ?.total ?? 0));
  return { ids: rows.map((row) => row.id), total };
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

function orderBy(sort: ListTasksInput["sort"]): SQL {
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

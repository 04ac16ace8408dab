import type { Database, SQLQueryBindings } from "bun:sqlite";
import type { ActorContext } from "../../platform/context";
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

const SORT_SQL: Record<SortField, string> = {
  created_at: "t.created_at",
  updated_at: "t.updated_at",
  due_date: "t.due_date",
  priority: "t.priority",
  title: "t.title COLLATE NOCASE",
  position: "t.position",
};

/**
 * SQL text with its bound parameters. The text is built only from constants; every value the
 * caller sent is a parameter. Plain strings rather than drizzle's `sql`: rendering its fragments
 * cost as much as running the list's count and page queries.
 */
interface Fragment {
  text: string;
  params: SQLQueryBindings[];
}

function all<Row>(sqlite: Database, text: string, params: SQLQueryBindings[]): Row[] {
  return sqlite.query<Row, SQLQueryBindings[]>(text).all(...params);
}

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

  const where = conditions(input, actor.userId, deps.clock.now());
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
  where: Fragment,
  sort: ListTasksInput["sort"],
  limit: number,
  offset: number,
): PageIds {
  const total =
    all<{ total: number }>(
      sqlite,
      `SELECT count(*) AS total FROM tasks t WHERE ${where.text}`,
      where.params,
    )[0]?.total ?? 0;
  if (total <= offset) return { ids: [], total };
  const ids = all<{ id: number }>(
    sqlite,
    `SELECT t.id AS id FROM tasks t WHERE ${where.text} ORDER BY ${orderBy(sort)} LIMIT ? OFFSET ?`,
    [...where.params, limit, offset],
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
  where: Fragment,
  sort: ListTasksInput["sort"],
  limit: number,
  offset: number,
): PageIds {
  const matching = `SELECT rowid AS id, bm25(tasks_fts, 10.0, 1.0) AS score FROM tasks_fts
    WHERE tasks_fts MATCH ? AND +rowid IN (SELECT t.id FROM tasks t WHERE ${where.text})`;
  const matchingParams = [ftsQuery, ...where.params];
  const page =
    sort === undefined
      ? `SELECT m.id AS id, count(*) OVER () AS total FROM (${matching}) m
            ORDER BY m.score, m.id DESC LIMIT ? OFFSET ?`
      : `SELECT t.id AS id, count(*) OVER () AS total FROM tasks t
            WHERE t.id IN (SELECT id FROM (${matching})) ORDER BY ${orderBy(sort)}
            LIMIT ? OFFSET ?`;
  const rows = all<{ id: number; total: number }>(sqlite, page, [...matchingParams, limit, offset]);
  // A page past the end has no row to carry the total: count separately only then.
  const total =
    rows[0]?.total ??
    (offset === 0
      ? 0
      : (all<{ total: number }>(
          sqlite,
          `SELECT count(*) AS total FROM (${matching})`,
          matchingParams,
        )[0]?.total ?? 0));
  return { ids: rows.map((row) => row.id), total };
}

/** The filters, joined with AND; each `?` takes the next parameter. */
function conditions(input: ListTasksInput, userId: number, now: number): Fragment {
  const where = ["t.owner_id = ?"];
  const params: SQLQueryBindings[] = [userId];
  const add = (text: string, ...values: SQLQueryBindings[]) => {
    where.push(text);
    params.push(...values);
  };
  if (input.completed !== undefined) add("t.completed = ?", input.completed ? 1 : 0);
  if (input.priority !== undefined) add("t.priority = ?", input.priority);
  if (input.tag !== undefined) {
    add(
      "EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id AND tt.tag = ?)",
      input.tag.trim().toLowerCase(),
    );
  }
  if (input.due_before !== undefined) {
    add("t.due_date < ?", queryDate("due_before", input.due_before));
  }
  if (input.due_after !== undefined) {
    add("t.due_date > ?", queryDate("due_after", input.due_after));
  }
  if (input.overdue === true) add("t.completed = 0 AND t.due_date < ?", now);
  if (input.overdue === false)
    add("NOT (t.completed = 0 AND t.due_date IS NOT NULL AND t.due_date < ?)", now);
  if (input.board_id !== undefined) add("t.board_id = ?", input.board_id);
  if (input.list_id !== undefined) add("t.list_id = ?", input.list_id);
  if (input.assignee_id !== undefined) {
    add("t.assignee_id = ?", input.assignee_id === "me" ? userId : input.assignee_id);
  }
  return { text: where.join(" AND "), params };
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

/** The ORDER BY terms; `sort` has passed the route's schema, so it names a SORT_FIELDS entry. */
function orderBy(sort: ListTasksInput["sort"]): string {
  const spec = sort ?? "-created_at";
  const descending = spec.startsWith("-");
  const field = (descending ? spec.slice(1) : spec) as SortField;
  const direction = descending ? "DESC" : "ASC";
  // Tasks without a due date come last whichever way the list is sorted.
  const nullsLast = field === "due_date" ? "t.due_date IS NULL, " : "";
  return `${nullsLast}${SORT_SQL[field]} ${direction}, t.id ${direction}`;
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

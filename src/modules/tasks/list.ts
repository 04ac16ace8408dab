import type { ActorContext } from "../../platform/context";
import { caseless } from "../../platform/db/dialect";
import type { Sql, SqlValue } from "../../platform/db/sql";
import { ValidationFailed } from "../../platform/errors";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { selectMemberBoardIds } from "../boards/rows";
import { parseIsoDate } from "./dates";
import { all, type Fragment } from "./fragment";
import { presentTask, type TaskView } from "./present";
import { selectTags, selectTaskRows } from "./rows";
import type { SORT_FIELDS } from "./schema";
import { type PageIds, searchPage } from "./search";
import { toSearchTerms } from "./search-terms";
import { type Visibility, visibleTo } from "./visibility";

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
  title: "t.title",
  position: "t.position",
};

/**
 * One page of the tasks the caller can see, filtered and sorted; `q` ranks by bm25 relevance
 * unless an explicit sort is given.
 *
 * This is the hottest query of the API, so it runs as plain SQL text: first the
 * page's ids and the total, then the rows and tags by id.
 */
export async function listTasks(
  { deps, actor }: ActorContext,
  input: ListTasksInput,
): Promise<TaskPage> {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  const terms = input.q === undefined ? undefined : toSearchTerms(input.q);
  if (terms === null) return { items: [], total: 0, limit, offset };

  const visibility = visibleTo(actor.userId, await selectMemberBoardIds(deps.sql, actor.userId), {
    cardsOnly: input.board_id !== undefined || input.list_id !== undefined,
  });
  const where = conditions(input, visibility, actor.userId, deps.clock.now());
  const { ids, total } = terms
    ? await searchPage(deps.sql, {
        visibility,
        terms,
        where,
        order: input.sort === undefined ? undefined : orderBy(deps.sql, input.sort),
        limit,
        offset,
      })
    : await listPage(deps.sql, where, input.sort, limit, offset);
  if (ids.length === 0) return { items: [], total, limit, offset };

  const byId = new Map((await selectTaskRows(deps.sql, ids)).map((row) => [row.id, row]));
  const tags = await selectTags(deps.sql, ids);
  const items = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [presentTask(row, tags.get(id) ?? [])] : [];
  });
  return { items, total, limit, offset };
}

/** A plain listing: the count and the page each walk the owner's index (the page only its head). */
async function listPage(
  sql: Sql,
  where: Fragment,
  sort: ListTasksInput["sort"],
  limit: number,
  offset: number,
): Promise<PageIds> {
  const total =
    (
      await all<{ total: number }>(
        sql,
        `SELECT count(*) AS total FROM tasks t WHERE ${where.text}`,
        where.params,
      )
    )[0]?.total ?? 0;
  if (total <= offset) return { ids: [], total };
  const ids = (
    await all<{ id: number }>(
      sql,
      `SELECT t.id AS id FROM tasks t WHERE ${where.text} ORDER BY ${orderBy(sql, sort)} LIMIT ? OFFSET ?`,
      [...where.params, limit, offset],
    )
  ).map((row) => row.id);
  return { ids, total };
}

/** Visibility and the filters, joined with AND; each `?` takes the next parameter. */
function conditions(
  input: ListTasksInput,
  visibility: Visibility,
  userId: number,
  now: number,
): Fragment {
  const where = [visibility.sql];
  const params: SqlValue[] = [...visibility.params];
  const add = (text: string, ...values: SqlValue[]) => {
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
function orderBy(sql: Sql, sort: ListTasksInput["sort"]): string {
  const spec = sort ?? "-created_at";
  const descending = spec.startsWith("-");
  const field = (descending ? spec.slice(1) : spec) as SortField;
  const direction = descending ? "DESC" : "ASC";
  // Tasks without a due date come last whichever way the list is sorted.
  const nullsLast = field === "due_date" ? "t.due_date IS NULL, " : "";
  // Titles sort regardless of case on both databases.
  const key = field === "title" ? caseless(sql, SORT_SQL[field]) : SORT_SQL[field];
  return `${nullsLast}${key} ${direction}, t.id ${direction}`;
}

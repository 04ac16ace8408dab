import type { SqlValue } from "../../platform/db/sql";

/**
 * Which tasks a user may see, said twice: as SQL over `tasks t` (the authority every list and
 * search applies) and as an FTS5 filter on the index's owner_id and board_id columns, which a
 * search ANDs with the words so that the match walks only these tasks.
 *
 * A user sees their personal tasks and the cards of every board they belong to. The filter may
 * match more than the SQL (the SQL decides), never less: `owner_id : "7"` also matches cards the
 * user made on a board they have since left, which the SQL then drops.
 *
 * Each SQL shape keeps SQLite on an index (test/tasks-query-plans.test.ts and
 * test/board-query-plans.test.ts hold it there): on no board, the personal tasks are
 * `(owner_id, board_id, created_at)` alone, as fast as before boards; on boards, the OR is two
 * index searches; a list filtered to a board or list can only hold cards, so it leads with the
 * board's index.
 */
export interface Visibility {
  sql: string;
  params: SqlValue[];
  match: string;
}

const PERSONAL = "t.owner_id = ? AND t.board_id IS NULL";
/** The ids of the boards the user (the one parameter) belongs to, read from one index. */
export const MEMBER_BOARDS = "SELECT board_id FROM board_members WHERE user_id = ?";

/**
 * The SQL alone, in the form that holds whatever boards the user belongs to: for a query that
 * reads no membership first, such as the comment search, which joins `tasks t`.
 */
export function visibleTasksSql(userId: number): Pick<Visibility, "sql" | "params"> {
  return { sql: `((${PERSONAL}) OR t.board_id IN (${MEMBER_BOARDS}))`, params: [userId, userId] };
}

/**
 * `boardIds`: the boards the user belongs to (board_members), read by the caller; the SQL reads
 * them again itself, so a membership that changes in between costs at most a missed card, never
 * a card the user may not see. `cardsOnly`: the list is filtered to a board or a list.
 */
export function visibleTo(
  userId: number,
  boardIds: readonly number[] = [],
  { cardsOnly = false }: { cardsOnly?: boolean } = {},
): Visibility {
  // The ids are written into the FTS5 query text: make sure they are only digits.
  for (const id of [userId, ...boardIds]) {
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(`Not an id: ${id}`);
  }
  const own = `owner_id : "${userId}"`;
  const match =
    boardIds.length === 0
      ? own
      : `${own} OR board_id : (${boardIds.map((id) => `"${id}"`).join(" OR ")})`;
  if (cardsOnly) return { sql: `t.board_id IN (${MEMBER_BOARDS})`, params: [userId], match };
  if (boardIds.length === 0) return { sql: PERSONAL, params: [userId], match };
  return { ...visibleTasksSql(userId), match };
}

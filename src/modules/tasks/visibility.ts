import type { SQLQueryBindings } from "bun:sqlite";

/**
 * Which tasks a user may see, said twice: as SQL over `tasks t` (the authority every list and
 * search applies) and as an FTS5 filter on the index's owner_id and board_id columns, which a
 * search ANDs with the words so that the match walks only these tasks.
 *
 * The filter may match more than the SQL (the SQL decides), never less. When boards arrive,
 * both grow together: `… OR t.board_id IN (…)` and `owner_id : "7" OR board_id : ("4" OR "9")`;
 * the index already holds board_id, so that needs no rebuild.
 */
export interface Visibility {
  sql: string;
  params: SQLQueryBindings[];
  match: string;
}

export function visibleTo(userId: number): Visibility {
  // The id is written into the FTS5 query text: make sure it is only digits.
  if (!Number.isSafeInteger(userId) || userId < 0) throw new Error(`Not a user id: ${userId}`);
  return { sql: "t.owner_id = ?", params: [userId], match: `owner_id : "${userId}"` };
}

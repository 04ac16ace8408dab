import type { ActorContext } from "../../platform/context";
import { presentBoard } from "../boards/present";
import { presentComment } from "../comments/service";
import { listTasks } from "../tasks/list";
import { toSearchTerms } from "../tasks/search-terms";
import { searchBoards, searchComments } from "./rows";

export const DEFAULT_SEARCH_LIMIT = 20;

const BOARD_TEXT = "{name description}";
const COMMENT_TEXT = "{body}";

/**
 * One search over everything the caller can see: their tasks and the cards of their boards
 * (as GET /tasks?q= finds them), their boards, and the comments on those tasks; each kind
 * ranked by relevance and cut at `limit`.
 */
export async function searchEverything(
  { deps, actor }: ActorContext,
  input: { q: string; limit?: number },
) {
  const limit = input.limit ?? DEFAULT_SEARCH_LIMIT;
  // The same words as the task search, confined to each table's text columns.
  const boardTerms = toSearchTerms(input.q, BOARD_TEXT);
  const commentTerms = toSearchTerms(input.q, COMMENT_TEXT);
  if (boardTerms === null || commentTerms === null) return { tasks: [], boards: [], comments: [] };
  // One read transaction, so the three kinds agree with each other.
  return await deps.sql.readTransaction(async () => ({
    tasks: (await listTasks({ deps, actor }, { q: input.q, limit })).items,
    boards: (await searchBoards(deps.sql, actor.userId, boardTerms, limit)).map((row) =>
      presentBoard(row, row.role),
    ),
    comments: (await searchComments(deps.sql, actor.userId, commentTerms, limit)).map(
      presentComment,
    ),
  }));
}

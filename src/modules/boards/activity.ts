import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import { DEFAULT_PAGE_LIMIT } from "../../platform/http/pagination";
import { authorizeBoard } from "./access";
import type { SubjectType } from "./changes";
import { type StoredActivity, selectActivity } from "./rows";

export function presentActivity(entry: StoredActivity) {
  return {
    id: entry.id,
    board_id: entry.board_id,
    // Null once the actor's account is deleted.
    actor:
      entry.actor_id === null || entry.actor_username === null
        ? null
        : { id: entry.actor_id, username: entry.actor_username },
    action: entry.action,
    subject_type: entry.subject_type as SubjectType,
    subject_id: entry.subject_id,
    data: JSON.parse(entry.data) as Record<string, unknown>,
    created_at: toIso(entry.created_at),
  };
}

export type ActivityView = ReturnType<typeof presentActivity>;

/** Who did what on the board, newest first; every member may read it. */
export async function listActivity(
  { deps, actor }: ActorContext,
  boardId: number,
  input: { limit?: number; offset?: number },
) {
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = input.offset ?? 0;
  await authorizeBoard(deps.sql, actor.userId, boardId, "activity.read");
  const { rows, total } = await selectActivity(deps.sql, boardId, limit, offset);
  return { items: rows.map(presentActivity), total, limit, offset };
}

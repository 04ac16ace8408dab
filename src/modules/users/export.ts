import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import { exportBoardsOf } from "../boards/account";
import { exportNotificationsOf } from "../notifications/service";
import { presentTask } from "../tasks/present";
import { type StoredTask, toTaskRow } from "../tasks/rows";
import { presentExportedSession, presentUser } from "./present";
import { type StoredSession, toSessionRow } from "./rows";
import { findUser } from "./service";

/**
 * Everything stored about the caller, as one document (GDPR Art. 20 style portability):
 * personal tasks, the boards they own with everything on them, their memberships, every
 * comment they wrote and their notifications. Cards they made on other people's boards belong to those boards and are
 * left out. Password and token hashes are secrets, not the user's data, and are left out too.
 */
export async function exportCurrentUser({ deps, actor }: ActorContext) {
  // One read transaction, so the parts agree with each other.
  return await deps.sql.readTransaction(async () => {
    const user = await findUser(deps.sql, actor.userId);
    const taskRows = (
      await deps.sql.all<StoredTask>(
        "SELECT * FROM tasks WHERE owner_id = ? AND board_id IS NULL ORDER BY id",
        [user.id],
      )
    ).map(toTaskRow);
    // Joined rather than listed by id: a large account would overflow SQLite's parameter limit.
    const tagRows = await deps.sql.all<{ task_id: number; tag: string }>(
      `SELECT tt.task_id, tt.tag FROM task_tags tt JOIN tasks t ON t.id = tt.task_id
       WHERE t.owner_id = ? AND t.board_id IS NULL ORDER BY tt.task_id, tt.tag`,
      [user.id],
    );
    const tagsByTask = new Map<number, string[]>();
    for (const { task_id: taskId, tag } of tagRows) {
      const list = tagsByTask.get(taskId);
      if (list) list.push(tag);
      else tagsByTask.set(taskId, [tag]);
    }
    const sessionRows = (
      await deps.sql.all<StoredSession>(
        `SELECT id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip
         FROM sessions WHERE user_id = ? ORDER BY id`,
        [user.id],
      )
    ).map(toSessionRow);
    return {
      exported_at: toIso(deps.clock.now()),
      profile: { ...presentUser(user), updated_at: toIso(user.updatedAt) },
      tasks: taskRows.map((row) => presentTask(row, tagsByTask.get(row.id) ?? [])),
      ...(await exportBoardsOf(deps.sql, user.id)),
      sessions: sessionRows.map(presentExportedSession),
      notifications: await exportNotificationsOf(deps, user.id),
    };
  });
}

import { and, asc, eq, isNull } from "drizzle-orm";
import { toIso } from "../../platform/clock";
import type { ActorContext } from "../../platform/context";
import { sessions, tasks, taskTags } from "../../platform/db/tables";
import { exportBoardsOf } from "../boards/account";
import { exportNotificationsOf } from "../notifications/service";
import { presentTask } from "../tasks/present";
import { presentExportedSession, presentUser } from "./present";
import { findUser } from "./service";

/**
 * Everything stored about the caller, as one document (GDPR Art. 20 style portability):
 * personal tasks, the boards they own with everything on them, their memberships, every
 * comment they wrote and their notifications. Cards they made on other people's boards belong to those boards and are
 * left out. Password and token hashes are secrets, not the user's data, and are left out too.
 */
export async function exportCurrentUser({ deps, actor }: ActorContext) {
  // One read transaction, so the parts agree with each other.
  return await deps.sql.transaction(async () => {
    const user = await findUser(deps.db, actor.userId);
    const taskRows = await deps.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.ownerId, user.id), isNull(tasks.boardId)))
      .orderBy(asc(tasks.id))
      .all();
    // Joined rather than listed by id: a large account would overflow SQLite's parameter limit.
    const tagRows = await deps.db
      .select({ taskId: taskTags.taskId, tag: taskTags.tag })
      .from(taskTags)
      .innerJoin(tasks, eq(tasks.id, taskTags.taskId))
      .where(and(eq(tasks.ownerId, user.id), isNull(tasks.boardId)))
      .orderBy(asc(taskTags.taskId), asc(taskTags.tag))
      .all();
    const tagsByTask = new Map<number, string[]>();
    for (const { taskId, tag } of tagRows) {
      const list = tagsByTask.get(taskId);
      if (list) list.push(tag);
      else tagsByTask.set(taskId, [tag]);
    }
    const sessionRows = await deps.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user.id))
      .orderBy(asc(sessions.id))
      .all();
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

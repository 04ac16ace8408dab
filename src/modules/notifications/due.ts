import { toIso } from "../../platform/clock";
import type { Sql } from "../../platform/db/sql";
import { selectTaskRows } from "../tasks/rows";
import { type NoticeContext, raiseNotice } from "./raise";

/** How far ahead a due date is "due soon". */
export const DUE_SOON_MS = 24 * 60 * 60 * 1000;

interface ClaimedReminder {
  task_id: number;
  user_id: number;
}

/**
 * Claims the reminders due now: for each open task due within DUE_SOON_MS, its owner and its
 * assignee, if they can see it. The ledger's primary key makes a claim happen once per task,
 * recipient and due date: a second run, here or on another server, claims nothing, and a new
 * due date is a new claim. `completed = 0` is spelled as the partial index on tasks has it.
 */
async function claimDueReminders(sql: Sql, now: number): Promise<ClaimedReminder[]> {
  return await sql.all<ClaimedReminder>(
    `WITH due AS (
         SELECT id, owner_id, assignee_id, board_id, due_date FROM tasks
         WHERE due_date > ? AND due_date <= ? AND completed = 0
       ), recipients AS (
         SELECT id AS task_id, owner_id AS user_id, board_id, due_date FROM due
         UNION
         SELECT id, assignee_id, board_id, due_date FROM due WHERE assignee_id IS NOT NULL
       )
       INSERT INTO due_reminders (task_id, user_id, due_date, created_at)
       SELECT r.task_id, r.user_id, r.due_date, ? FROM recipients r
       WHERE r.board_id IS NULL OR EXISTS (
         SELECT 1 FROM board_members m WHERE m.board_id = r.board_id AND m.user_id = r.user_id
       )
       ON CONFLICT DO NOTHING
       RETURNING task_id, user_id`,
    // Plain `?` placeholders (each bound in turn): PostgreSQL's side numbers them itself.
    [now, now + DUE_SOON_MS, now],
  );
}

/** Raises the due-soon reminders not raised yet, in one transaction; returns how many. */
export async function remindDueTasks(ctx: NoticeContext, now: number): Promise<number> {
  return await ctx.sql.transaction(async () => {
    const claimed = await claimDueReminders(ctx.sql, now);
    if (claimed.length === 0) return 0;
    const tasks = new Map(
      (
        await selectTaskRows(ctx.sql, [...new Set(claimed.map((reminder) => reminder.task_id))])
      ).map((task) => [task.id, task]),
    );
    for (const reminder of claimed) {
      const task = tasks.get(reminder.task_id);
      if (!task || task.dueDate === null) continue;
      await raiseNotice(ctx, now, {
        userId: reminder.user_id,
        type: "task_due",
        actorId: null,
        taskId: task.id,
        title: `“${task.title}” is due within 24 hours`,
        body: `Due ${toIso(task.dueDate)}`,
      });
    }
    return claimed.length;
  });
}

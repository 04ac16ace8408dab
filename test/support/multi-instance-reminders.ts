/**
 * Due-date reminders with two schedulers on one database: both raise reminders every second
 * (SCHEDULER_INTERVAL=1s), and still each task's reminder is stored once, its email job claimed
 * by one worker and run once, and one mail sent.
 */
import { expect, test } from "bun:test";
import { createAccount, eventually, ok } from "./instance-pair";
import type { PairContext } from "./multi-instance";

const TIMEOUT = 60_000;
const HOUR = 3_600_000;

interface NotificationCount {
  task_id: number;
  n: number;
}

interface JobRow {
  status: string;
  attempts: number;
  payload: string;
}

export function reminderChecks(pair: () => PairContext): void {
  test(
    "each due-date reminder is raised once and mailed once while both schedulers run",
    async () => {
      const { a, b, binary, env, db, smtp } = pair();
      const account = await createAccount(binary, env, "reminded");
      const login = await ok(
        a.call("POST", "/auth/login", {
          body: { username: account.username, password: account.password },
        }),
        "login",
      );
      const token = login.body.access_token as string;
      const dueIn = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();
      const due = await Promise.all(
        [1, 2, 3, 4].map((hours, i) =>
          ok(
            (i % 2 === 0 ? a : b).call("POST", "/tasks", {
              token,
              body: { title: `Due in ${hours} h`, due_date: dueIn(hours) },
            }),
            "task due soon",
          ),
        ),
      );
      const later = await ok(
        b.call("POST", "/tasks", { token, body: { title: "Due in 2 days", due_date: dueIn(48) } }),
        "task due later",
      );
      const dueIds = due.map((answer) => answer.body.id as number).sort((x, y) => x - y);
      const mailsTo = () => smtp.received.filter((mail) => mail.to.includes(account.email));

      await eventually(
        "a mail per task due soon",
        async () => mailsTo().length >= dueIds.length,
        20_000,
      );
      // A few more rounds of both schedulers and both job workers: nothing more may come.
      await Bun.sleep(3_000);

      const counts = (await db`
        SELECT n.task_id, count(*)::int AS n FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.type = 'task_due' AND u.username = ${account.username}
        GROUP BY n.task_id ORDER BY n.task_id`) as NotificationCount[];
      expect(counts.map((row) => ({ task_id: Number(row.task_id), n: row.n }))).toEqual(
        dueIds.map((id) => ({ task_id: id, n: 1 })),
      );
      expect(counts.map((row) => Number(row.task_id))).not.toContain(later.body.id);

      const jobs = (
        (await db`SELECT status, attempts, payload FROM jobs WHERE type = 'email.send'`) as JobRow[]
      )
        .map((job) => ({
          ...job,
          payload: JSON.parse(job.payload) as { to: string; subject: string },
        }))
        .filter((job) => job.payload.to === account.email);
      expect(jobs.map((job) => job.payload.subject).sort()).toEqual(
        [1, 2, 3, 4].map((hours) => `“Due in ${hours} h” is due within 24 hours`).sort(),
      );
      for (const job of jobs)
        expect({ status: job.status, attempts: job.attempts }).toEqual({
          status: "done",
          attempts: 1,
        });
      expect(mailsTo()).toHaveLength(dueIds.length);

      // Either instance lists the same reminders.
      for (const instance of [a, b]) {
        const listed = await ok(instance.call("GET", "/notifications", { token }), "notifications");
        const reminders = (listed.body as { type: string; task_id: number }[])
          .filter((notification) => notification.type === "task_due")
          .map((notification) => notification.task_id)
          .sort((x, y) => x - y);
        expect(reminders).toEqual(dueIds);
      }
    },
    TIMEOUT,
  );
}

import type { Mailer, MailMessage } from "../../src/platform/mailer";

/** Captures messages instead of sending them; can be told to fail the next few sends. */
export class FakeMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  /** How many of the next sends throw, as an unreachable SMTP server would. */
  failNext = 0;

  async send(message: MailMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error("connect ECONNREFUSED 127.0.0.1:2525");
    }
    this.sent.push(message);
  }

  close(): void {}

  to(address: string): MailMessage[] {
    return this.sent.filter((message) => message.to === address);
  }

  lastTo(address: string): MailMessage | undefined {
    return this.to(address).at(-1);
  }
}

/** The 6-digit code in an email: the line that holds nothing else (plain text or raw MIME). */
export function codeIn(text: string): string {
  const match = /^(\d{6})\r?$/m.exec(text);
  if (!match?.[1]) throw new Error(`no 6-digit code in: ${text}`);
  return match[1];
}

/** Runs the jobs that are due (emails are sent by jobs) and returns what the mailer captured. */
export async function deliverMail(ctx: {
  deps: { jobs: { runDueJobs(): Promise<number> } };
  mailer: FakeMailer;
}): Promise<MailMessage[]> {
  await ctx.deps.jobs.runDueJobs();
  return ctx.mailer.sent;
}

import type { Tx } from "../../platform/db/client";
import type { Mailer, MailMessage } from "../../platform/mailer";
import { type EnqueueContext, type EnqueueOptions, enqueueJob } from "./queue";

/** One kind of job: how to run it, and what of its payload may be kept once it is finished. */
export interface JobHandler {
  run(payload: unknown): Promise<void>;
  /**
   * The payload stored once the job is done or has failed for good. Payloads may hold secrets
   * (an email body carries a one-time code) that must not outlive the job.
   */
  redact?(payload: unknown): unknown;
}

export type JobHandlers = Readonly<Record<string, JobHandler>>;

export const SEND_EMAIL_JOB = "email.send";

/** Every job type this server runs. */
export function createJobHandlers(services: { mailer: Mailer }): JobHandlers {
  return {
    [SEND_EMAIL_JOB]: {
      run: (payload) => services.mailer.send(payload as MailMessage),
      redact: (payload) => {
        const { to, subject } = payload as MailMessage;
        return { to, subject };
      },
    },
  };
}

/** Sends an email after the caller's transaction commits, retrying if the mail server fails. */
export function enqueueEmail(
  tx: Tx,
  context: EnqueueContext,
  message: MailMessage,
  options?: EnqueueOptions,
): number {
  return enqueueJob(tx, context, SEND_EMAIL_JOB, message, options);
}

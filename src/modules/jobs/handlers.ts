import type { Sql } from "../../platform/db/sql";
import type { Mailer, MailMessage } from "../../platform/mailer";
import { type EnqueueContext, type EnqueueOptions, enqueueJob } from "./queue";

/** One kind of job: how to run it, and what of its payload may be kept once it is finished. */
export interface JobHandler {
  /** Whether the payload has the shape `run` needs; a job whose payload does not fails for good. */
  accepts?(payload: unknown): boolean;
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
      accepts: isMailMessage,
      run: (payload) => services.mailer.send(payload as MailMessage),
      redact: (payload) => {
        const { to, subject } = payload as MailMessage;
        return { to, subject };
      },
    },
  };
}

function isMailMessage(payload: unknown): payload is MailMessage {
  if (typeof payload !== "object" || payload === null) return false;
  const fields = payload as Record<string, unknown>;
  const strings = (["to", "subject", "text", "html"] as const).every(
    (key) => typeof fields[key] === "string",
  );
  return strings && fields.to !== "";
}

/** Sends an email after the caller's transaction commits, retrying if the mail server fails. */
export async function enqueueEmail(
  sql: Sql,
  context: EnqueueContext,
  message: MailMessage,
  options?: EnqueueOptions,
): Promise<number> {
  return await enqueueJob(sql, context, SEND_EMAIL_JOB, message, options);
}

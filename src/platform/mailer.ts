import { createTransport } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Config } from "./config";
import type { Logger } from "./logging";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra header fields, such as List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Releases open connections (on shutdown). */
  close(): void;
}

// Bounded so that a silent SMTP server fails a job (which is retried) instead of holding the
// worker for nodemailer's default of minutes.
const SMTP_TIMEOUTS: SMTPTransport.Options = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
};

/**
 * With SMTP_URL, mail goes out over SMTP. Without it, as the configuration contract says, each
 * whole message is written to the log, in every environment: otherwise an install without SMTP
 * could never deliver a password reset code. The log then holds one-time codes, which is why
 * start-up warns about it.
 */
export function createMailer(config: Config, log: Logger): Mailer {
  if (config.smtpUrl) {
    const transport = createTransport(config.smtpUrl, SMTP_TIMEOUTS);
    return {
      async send(message) {
        await transport.sendMail({ from: config.mailFrom, ...message });
      },
      close: () => transport.close(),
    };
  }
  log.warn(
    "SMTP_URL is unset: emails, one-time codes included, are written to the log instead of sent",
  );
  return {
    async send(message) {
      log.info("email not sent (SMTP_URL is unset)", {
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
    close() {},
  };
}

import { createTransport } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Config } from "./config";
import type { Logger } from "./logging";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
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
 * With SMTP_URL, mail goes out over SMTP. Without it, each message is written to the log so a
 * development setup still shows what would have been sent. Message bodies carry one-time codes,
 * so the body is logged only in development, never in production or test.
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
  return {
    async send(message) {
      log.info("email not sent (SMTP_URL is unset)", {
        to: message.to,
        subject: message.subject,
        ...(config.nodeEnv === "development" ? { text: message.text } : {}),
      });
    },
    close() {},
  };
}

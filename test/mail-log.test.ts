import { describe, expect, test } from "bun:test";
import { createApp } from "../src/app";
import { createDeps } from "../src/deps";
import { loadConfig } from "../src/platform/config";
import { createLogger } from "../src/platform/logging";
import { createMailer } from "../src/platform/mailer";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { expectJsonBody } from "./support/accounts";
import { buildRequest, TEST_SECRET, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { FakeClock } from "./support/clock";
import { freshDatabase } from "./support/database";
import { createUser, login } from "./support/factories";
import { codeIn, FakeMailer } from "./support/mailer";
import { startSmtpServer } from "./support/smtp";

/** An app with the real mailer and no SMTP_URL, as a fresh production install has. */
async function productionWithoutSmtp(): Promise<TestContext> {
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_PATH: ":memory:",
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: "info",
    ...UNTHROTTLED_ENV,
  });
  const logs: Record<string, unknown>[] = [];
  const clock = new FakeClock();
  const deps = await createDeps(config, {
    sqlite: freshDatabase(),
    clock,
    log: createLogger(config.logLevel, (line) => logs.push(JSON.parse(line))),
    passwordCost: TEST_PASSWORD_COST,
  });
  const app = createApp(deps);
  const request: TestContext["request"] = (path, init) => app.handle(buildRequest(path, init));
  // The fake mailer is unused here: mail goes to the log.
  return { app, deps, clock, logs, mailer: new FakeMailer(), request };
}

/** The text of the last email to `address` that the log holds. */
function loggedEmailTo(ctx: TestContext, address: string): string {
  const line = ctx.logs.findLast(
    (entry) => entry.msg === "email not sent (SMTP_URL is unset)" && entry.to === address,
  );
  if (typeof line?.text !== "string") throw new Error(`no logged email to ${address}`);
  return line.text;
}

describe("a production install without SMTP_URL", () => {
  test("warns once at start-up that mail, codes included, goes to the log", async () => {
    const ctx = await productionWithoutSmtp();
    const warnings = ctx.logs.filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain("SMTP_URL is unset");
  });

  test("can still reset a password: the code is in the log", async () => {
    const ctx = await productionWithoutSmtp();
    const user = await createUser(ctx);
    const forgot = await ctx.request("/api/v1/auth/forgot-password", {
      body: { email: user.email },
    });
    expect(forgot.status).toBe(202);
    await ctx.deps.jobs.runDueJobs();
    const code = codeIn(loggedEmailTo(ctx, user.email));
    const { reset_token } = await expectJsonBody<{ reset_token: string }>(
      await ctx.request("/api/v1/auth/verify-otp", { body: { email: user.email, otp: code } }),
    );
    const newPassword = "Recovered-from-the-log-7";
    await expectJsonBody(
      await ctx.request("/api/v1/auth/reset-password", {
        body: { reset_token, new_password: newPassword },
      }),
    );
    await login(ctx, user.email, newPassword);
    // The "password changed" notice is logged whole as well.
    await ctx.deps.jobs.runDueJobs();
    expect(loggedEmailTo(ctx, user.email)).toContain("password of your Kanbun account");
  });
});

describe("createMailer", () => {
  test("mail to an unreachable SMTP server fails the attempt", async () => {
    const smtp = await startSmtpServer();
    const url = smtp.url;
    await smtp.close(); // nothing listens there now
    const config = loadConfig({ SMTP_URL: url, NODE_ENV: "test" });
    const mailer = createMailer(config, createLogger("silent"));
    await expect(
      mailer.send({ to: "a@example.com", subject: "s", text: "t", html: "<p>t</p>" }),
    ).rejects.toThrow();
    mailer.close();
  });

  test("without SMTP_URL, the whole message goes to the log in every environment", async () => {
    for (const nodeEnv of ["development", "production", "test"]) {
      const lines: Record<string, unknown>[] = [];
      const config = loadConfig({
        NODE_ENV: nodeEnv,
        JWT_SECRET: "x".repeat(32),
        MAIL_FROM: "Kanbun <no-reply@example.com>",
      });
      const log = createLogger("info", (line) => lines.push(JSON.parse(line)));
      const mailer = createMailer(config, log);
      // One warning when the mailer is made, before anything is sent.
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: "warn" });
      expect(String(lines[0]?.msg)).toContain("SMTP_URL is unset");
      expect(String(lines[0]?.msg)).toContain("one-time codes");
      await mailer.send({ to: "a@example.com", subject: "Hi", text: "code\n\n123456\n", html: "" });
      await mailer.send({ to: "b@example.com", subject: "Yo", text: "second", html: "" });
      mailer.close();
      expect(lines.slice(1)).toEqual([
        expect.objectContaining({
          level: "info",
          to: "a@example.com",
          subject: "Hi",
          text: "code\n\n123456\n",
        }),
        expect.objectContaining({
          level: "info",
          to: "b@example.com",
          subject: "Yo",
          text: "second",
        }),
      ]);
    }
  });

  test("with SMTP_URL there is no warning", async () => {
    const lines: string[] = [];
    const config = loadConfig({ SMTP_URL: "smtp://127.0.0.1:1", NODE_ENV: "test" });
    createMailer(
      config,
      createLogger("info", (line) => lines.push(line)),
    ).close();
    expect(lines).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import {
  CODE_EMAIL_WINDOW_MS,
  CODE_EMAILS_PER_DAY,
  CODE_FAILURE_LIMIT,
  CODE_FAILURE_MEMORY_MS,
  MAX_CODE_ATTEMPTS,
} from "../src/modules/auth/one-time-codes";
import { jobs, oneTimeCodes, passwordResetTokens } from "../src/platform/db/tables";
import { observable } from "./security/helpers";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, login, type TestUser } from "./support/factories";
import { codeIn, deliverMail } from "./support/mailer";
import { dbOf } from "./support/orm";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

// Throttling has its own tests; here it would only get in the way of repeated attempts.
const ENV = { ...UNTHROTTLED_ENV, APP_URL: "https://kanbun.test" };
const SENT_BODY = { message: "If an account uses that address, a reset code is on its way." };
const BAD_CODE = "The code is wrong or has expired";

async function setup() {
  const ctx = await createTestContext(ENV);
  const user = await createUser(ctx);
  await deliverMail(ctx); // the sign-up verification email
  ctx.mailer.sent.length = 0;
  return { ctx, user };
}

function forgot(ctx: TestContext, email: string) {
  return ctx.request("/api/v1/auth/forgot-password", { body: { email } });
}

async function requestCode(ctx: TestContext, email: string): Promise<string> {
  const response = await forgot(ctx, email);
  expect(response.status).toBe(202);
  await deliverMail(ctx);
  const message = ctx.mailer.lastTo(email);
  if (!message) throw new Error(`no email to ${email}`);
  return codeIn(message.text);
}

function verifyOtp(ctx: TestContext, email: string, otp: string) {
  return ctx.request("/api/v1/auth/verify-otp", { body: { email, otp } });
}

async function resetToken(ctx: TestContext, user: TestUser): Promise<string> {
  const response = await verifyOtp(ctx, user.email, await requestCode(ctx, user.email));
  expect(response.status).toBe(200);
  return ((await response.json()) as { reset_token: string }).reset_token;
}

function reset(ctx: TestContext, token: string, password: string) {
  return ctx.request("/api/v1/auth/reset-password", {
    body: { reset_token: token, new_password: password },
  });
}

/** A code that is valid-looking but not the one sent. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("forgot-password", () => {
  test("emails a 6-digit code about Kanbun with a link, stored only as a hash", async () => {
    const { ctx, user } = await setup();
    const response = await forgot(ctx, user.email.toUpperCase());
    expect(response.status).toBe(202);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.json()).toEqual(SENT_BODY);
    expect(ctx.mailer.sent).toHaveLength(0); // sent by a job, after the response

    await deliverMail(ctx);
    expect(ctx.mailer.sent).toHaveLength(1);
    const [message] = ctx.mailer.sent;
    expect(message?.to).toBe(user.email);
    expect(message?.subject).toBe("Your Kanbun password reset code");
    expect(message?.text).toContain("https://kanbun.test");
    expect(message?.html).toContain('<a href="https://kanbun.test">');
    const code = codeIn(message?.text ?? "");
    expect(message?.html).toContain(code);

    const row = (
      await dbOf(ctx.deps).select().from(oneTimeCodes).where(eq(oneTimeCodes.userId, user.id)).all()
    ).find((r) => r.purpose === "password_reset");
    expect(row?.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.codeHash).not.toContain(code);
    // Once sent, the job keeps no copy of the code, and the log never had one.
    const stored = await dbOf(ctx.deps).select().from(jobs).all();
    expect(stored.every((job) => !job.payload.includes(code))).toBe(true);
    expect(JSON.stringify(ctx.logs)).not.toContain(code);
  });

  test("an unknown address gets the same answer and no email", async () => {
    const { ctx, user } = await setup();
    const known = await forgot(ctx, user.email);
    const unknown = await forgot(ctx, "nobody@example.com");
    expect(unknown.status).toBe(202);
    expect(unknown.headers.get("content-type")).toBe(known.headers.get("content-type"));
    expect(await unknown.text()).toBe(await known.text());
    await deliverMail(ctx);
    expect(ctx.mailer.sent.map((m) => m.to)).toEqual([user.email]);
  });

  test("a second request within 60 s sends nothing; after that a new code replaces the old", async () => {
    const { ctx, user } = await setup();
    const first = await requestCode(ctx, user.email);
    ctx.clock.advance(30_000);
    const again = await forgot(ctx, user.email);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(SENT_BODY);
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(1);

    ctx.clock.advance(31_000);
    const second = await requestCode(ctx, user.email);
    expect(ctx.mailer.to(user.email)).toHaveLength(2);
    if (first !== second) {
      const old = await verifyOtp(ctx, user.email, first);
      expect((await expectProblem(old, 400, "bad_request")).detail).toBe(BAD_CODE);
    }
    expect((await verifyOtp(ctx, user.email, second)).status).toBe(200);
  });

  test("rejects a malformed body", async () => {
    const { ctx } = await setup();
    await expectProblem(await forgot(ctx, "not-an-email"), 422, "validation_error");
    const extra = await ctx.request("/api/v1/auth/forgot-password", {
      body: { email: "a@example.com", role: "admin" },
    });
    await expectProblem(extra, 422, "validation_error");
  });
});

describe("verify-otp", () => {
  test("trades the code for a single-use reset token, not cached", async () => {
    const { ctx, user } = await setup();
    const code = await requestCode(ctx, user.email);
    const response = await verifyOtp(ctx, user.email, code);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { reset_token: string; expires_in: number };
    expect(body.expires_in).toBe(900);
    expect(body.reset_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const tokens = await dbOf(ctx.deps).select().from(passwordResetTokens).all();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.tokenHash).not.toBe(body.reset_token);
    // The code is spent.
    await expectProblem(await verifyOtp(ctx, user.email, code), 400, "bad_request");
  });

  test("a wrong code is a 400 with one generic detail; five wrong tries kill the code", async () => {
    const { ctx, user } = await setup();
    const code = await requestCode(ctx, user.email);
    for (let i = 0; i < 5; i += 1) {
      const response = await verifyOtp(ctx, user.email, wrong(code));
      expect((await expectProblem(response, 400, "bad_request")).detail).toBe(BAD_CODE);
    }
    const dead = await verifyOtp(ctx, user.email, code);
    expect((await expectProblem(dead, 400, "bad_request")).detail).toBe(BAD_CODE);
  });

  test("four wrong tries still leave the right code working", async () => {
    const { ctx, user } = await setup();
    const code = await requestCode(ctx, user.email);
    for (let i = 0; i < 4; i += 1) {
      await expectProblem(await verifyOtp(ctx, user.email, wrong(code)), 400, "bad_request");
    }
    expect((await verifyOtp(ctx, user.email, code)).status).toBe(200);
  });

  test("a code expires after 10 minutes", async () => {
    const { ctx, user } = await setup();
    const code = await requestCode(ctx, user.email);
    ctx.clock.advance(10 * 60_000);
    const response = await verifyOtp(ctx, user.email, code);
    expect((await expectProblem(response, 400, "bad_request")).detail).toBe(BAD_CODE);
  });

  test("a code is still good just before 10 minutes", async () => {
    const { ctx, user } = await setup();
    const code = await requestCode(ctx, user.email);
    ctx.clock.advance(10 * 60_000 - 1);
    expect((await verifyOtp(ctx, user.email, code)).status).toBe(200);
  });

  test("a code works only for the account it was sent to", async () => {
    const { ctx, user } = await setup();
    const other = await createUser(ctx);
    const code = await requestCode(ctx, user.email);
    const response = await verifyOtp(ctx, other.email, code);
    expect((await expectProblem(response, 400, "bad_request")).detail).toBe(BAD_CODE);
    const unknown = await verifyOtp(ctx, "nobody@example.com", code);
    expect((await expectProblem(unknown, 400, "bad_request")).detail).toBe(BAD_CODE);
  });

  test("a code that is not 6 digits is a validation error", async () => {
    const { ctx, user } = await setup();
    await expectProblem(await verifyOtp(ctx, user.email, "12345"), 422, "validation_error");
    await expectProblem(await verifyOtp(ctx, user.email, "12345a"), 422, "validation_error");
  });
});

describe("guessing limits across codes", () => {
  async function failFive(ctx: TestContext, user: TestUser, code: string) {
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i += 1) {
      await expectProblem(await verifyOtp(ctx, user.email, wrong(code)), 400, "bad_request");
    }
  }

  test("a new code does not bring new tries: after 10 wrong codes nothing is sent for a day", async () => {
    const { ctx, user } = await setup();
    expect(CODE_FAILURE_LIMIT).toBe(2 * MAX_CODE_ATTEMPTS);
    await failFive(ctx, user, await requestCode(ctx, user.email));
    ctx.clock.advance(61_000);
    const second = await requestCode(ctx, user.email);
    await failFive(ctx, user, second);
    expect(ctx.mailer.to(user.email)).toHaveLength(2);

    // Past the cap: the same 202, no email, and every code (even a right one) is the same 400.
    ctx.clock.advance(61_000);
    const capped = await observable(await forgot(ctx, user.email));
    expect(capped).toEqual(await observable(await forgot(ctx, "nobody@example.com")));
    expect(capped.status).toBe(202);
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(2);
    const refused = await observable(await verifyOtp(ctx, user.email, second));
    const unknown = await observable(await verifyOtp(ctx, "nobody@example.com", second));
    expect(refused).toEqual(unknown);
    expect(refused.status).toBe(400);

    // Wrong codes are forgotten a day after the last one.
    ctx.clock.advance(CODE_FAILURE_MEMORY_MS - 2 * 61_000);
    expect((await forgot(ctx, user.email)).status).toBe(202);
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(2);
    ctx.clock.advance(2 * 61_000);
    const fresh = await requestCode(ctx, user.email);
    expect((await verifyOtp(ctx, user.email, fresh)).status).toBe(200);
  });

  test("wrong tries carry into the next code, which never gets more than five in all", async () => {
    const { ctx, user } = await setup();
    const first = await requestCode(ctx, user.email);
    for (let i = 0; i < 3; i += 1) {
      await expectProblem(await verifyOtp(ctx, user.email, wrong(first)), 400, "bad_request");
    }
    ctx.clock.advance(61_000);
    const second = await requestCode(ctx, user.email);
    for (let i = 0; i < 2; i += 1) {
      await expectProblem(await verifyOtp(ctx, user.email, wrong(second)), 400, "bad_request");
    }
    // Five wrong codes so far: the live code is spent, as a single code would be.
    const spent = await verifyOtp(ctx, user.email, second);
    expect((await expectProblem(spent, 400, "bad_request")).detail).toBe(BAD_CODE);
    ctx.clock.advance(61_000);
    const third = await requestCode(ctx, user.email);
    expect((await verifyOtp(ctx, user.email, third)).status).toBe(200);
  });

  test("at most five reset emails go to an address a day, however they are spaced", async () => {
    const { ctx, user } = await setup();
    for (let i = 0; i < CODE_EMAILS_PER_DAY + 2; i += 1) {
      expect((await forgot(ctx, user.email)).status).toBe(202);
      ctx.clock.advance(61_000);
    }
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(CODE_EMAILS_PER_DAY);
    // Refused requests leave the last code sent in place.
    const last = codeIn(ctx.mailer.lastTo(user.email)?.text ?? "");
    expect((await verifyOtp(ctx, user.email, last)).status).toBe(200);
    // The count starts over a day after the first email.
    ctx.clock.advance(CODE_EMAIL_WINDOW_MS - (CODE_EMAILS_PER_DAY + 2) * 61_000 - 1);
    expect((await forgot(ctx, user.email)).status).toBe(202);
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(CODE_EMAILS_PER_DAY);
    ctx.clock.advance(1);
    await requestCode(ctx, user.email);
    expect(ctx.mailer.to(user.email)).toHaveLength(CODE_EMAILS_PER_DAY + 1);
  });
});

describe("reset-password", () => {
  test("sets the password once, ends every session and sends a notice", async () => {
    const { ctx, user } = await setup();
    const token = await resetToken(ctx, user);
    ctx.mailer.sent.length = 0;
    const response = await reset(ctx, token, "A-brand-new-passphrase");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.json()).toEqual({
      message: "Password has been reset; sign in with the new password",
    });

    const me = await ctx.request("/api/v1/users/me", { token: user.accessToken });
    await expectProblem(me, 401, "unauthorized_error");
    const refreshed = await ctx.request("/api/v1/auth/refresh", {
      body: { refresh_token: user.refreshToken },
    });
    await expectProblem(refreshed, 401, "unauthorized_error");
    await expect(login(ctx, user.email, user.password)).rejects.toThrow("401");
    const tokens = await login(ctx, user.email, "A-brand-new-passphrase");
    expect(tokens.access_token).toBeString();

    await deliverMail(ctx);
    expect(ctx.mailer.sent.map((m) => m.subject)).toEqual(["Your Kanbun password was changed"]);
    expect(ctx.mailer.sent[0]?.to).toBe(user.email);

    const replay = await reset(ctx, token, "Another-new-passphrase");
    expect((await expectProblem(replay, 400, "bad_request")).detail).toBe(
      "The reset token is invalid or has expired",
    );
    await login(ctx, user.email, "A-brand-new-passphrase");
  });

  test("a common or short password is refused and leaves the token usable", async () => {
    const { ctx, user } = await setup();
    const token = await resetToken(ctx, user);
    const common = await expectProblem(
      await reset(ctx, token, "password123"),
      422,
      "validation_error",
    );
    expect(common.errors?.[0]?.path).toBe("/new_password");
    await expectProblem(await reset(ctx, token, "short"), 422, "validation_error");
    await expectProblem(await reset(ctx, token, "x".repeat(129)), 422, "validation_error");
    expect((await reset(ctx, token, "A-brand-new-passphrase")).status).toBe(200);
  });

  test("an expired, unknown or superseded token is a 400", async () => {
    const { ctx, user } = await setup();
    const first = await resetToken(ctx, user);
    ctx.clock.advance(61_000);
    const second = await resetToken(ctx, user);
    await expectProblem(await reset(ctx, first, "A-brand-new-passphrase"), 400, "bad_request");
    await expectProblem(await reset(ctx, "made-up", "A-brand-new-passphrase"), 400, "bad_request");
    ctx.clock.advance(15 * 60_000);
    await expectProblem(await reset(ctx, second, "A-brand-new-passphrase"), 400, "bad_request");
    await login(ctx, user.email, user.password);
  });

  test("rejects unknown fields", async () => {
    const { ctx } = await setup();
    const response = await ctx.request("/api/v1/auth/reset-password", {
      body: { reset_token: "x", new_password: "A-brand-new-passphrase", user_id: 1 },
    });
    await expectProblem(response, 422, "validation_error");
  });
});

describe("over real SMTP", () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  test("a user resets the password with the code from the received email", async () => {
    const ctx = await createTestContext({ ...ENV, SMTP_URL: smtp.url });
    const user = await createUser(ctx);
    expect((await forgot(ctx, user.email)).status).toBe(202);
    await ctx.deps.jobs.runDueJobs();

    const mails = smtp.received.filter((mail) => mail.to.includes(user.email));
    const resetMail = mails.find((mail) => mail.raw.includes("password reset code"));
    if (!resetMail) throw new Error("reset email not received");
    expect(resetMail.from).toBe("no-reply@localhost");
    expect(resetMail.raw).toContain("Subject: Your Kanbun password reset code");
    expect(resetMail.raw).toContain("text/html");
    const code = codeIn(resetMail.raw);

    const verified = await verifyOtp(ctx, user.email, code);
    expect(verified.status).toBe(200);
    const { reset_token } = (await verified.json()) as { reset_token: string };
    expect((await reset(ctx, reset_token, "A-brand-new-passphrase")).status).toBe(200);
    await ctx.deps.jobs.runDueJobs();
    expect(
      smtp.received.some(
        (mail) =>
          mail.to.includes(user.email) &&
          mail.raw.includes("Subject: Your Kanbun password was changed"),
      ),
    ).toBe(true);
    await login(ctx, user.email, "A-brand-new-passphrase");
    expect(
      (await dbOf(ctx.deps).select().from(jobs).all()).every((job) => job.status === "done"),
    ).toBe(true);
    ctx.deps.mailer.close();
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import {
  CODE_EMAILS_PER_DAY,
  CODE_FAILURE_MEMORY_MS,
  MAX_CODE_ATTEMPTS,
} from "../src/modules/auth/one-time-codes";
import { enqueueEmailVerification } from "../src/modules/auth/verification";
import { jobs, oneTimeCodes, users } from "../src/platform/db/tables";
import { observable } from "./security/helpers";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, login, userValues } from "./support/factories";
import { codeIn, deliverMail } from "./support/mailer";
import { dbOf } from "./support/orm";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const ENV = { ...UNTHROTTLED_ENV, APP_URL: "https://kanbun.test" };
const RESENT_BODY = {
  message: "If that address belongs to an unverified account, a new code is on its way.",
};
const BAD_CODE = "The code is wrong or has expired";

async function signup(ctx: TestContext) {
  const values = userValues();
  const response = await ctx.request("/api/v1/auth/signup", { body: values });
  expect(response.status).toBe(201);
  const { user } = (await response.json()) as { user: { id: number; email_verified: boolean } };
  expect(user.email_verified).toBe(false);
  return { ...values, id: user.id };
}

async function codeFor(ctx: TestContext, email: string): Promise<string> {
  await deliverMail(ctx);
  const message = ctx.mailer.lastTo(email);
  if (!message) throw new Error(`no email to ${email}`);
  return codeIn(message.text);
}

function verify(ctx: TestContext, email: string, otp: string) {
  return ctx.request("/api/v1/auth/verify-email", { body: { email, otp } });
}

function resend(ctx: TestContext, email: string) {
  return ctx.request("/api/v1/auth/resend-verification", { body: { email } });
}

async function isVerified(ctx: TestContext, id: number): Promise<boolean> {
  return (
    (await dbOf(ctx.deps).select().from(users).where(eq(users.id, id)).get())?.emailVerified ??
    false
  );
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("verification at sign-up", () => {
  test("sign-up enqueues the code email; the code verifies the address", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    const queued = await dbOf(ctx.deps).select().from(jobs).all();
    expect(queued.map((job) => [job.type, job.status])).toEqual([["email.send", "pending"]]);

    const code = await codeFor(ctx, user.email);
    const message = ctx.mailer.lastTo(user.email);
    expect(message?.subject).toBe("Verify your email address for Kanbun");
    expect(message?.text).toContain("https://kanbun.test");
    expect(message?.html).toContain(code);

    const response = await verify(ctx, user.email, code);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.json()).toEqual({ message: "Email address verified" });
    expect(await isVerified(ctx, user.id)).toBe(true);
    // Spent: the same code does nothing a second time.
    await expectProblem(await verify(ctx, user.email, code), 400, "bad_request");
  });

  test("wrong, expired and used-up codes are 400 with one generic detail", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    const code = await codeFor(ctx, user.email);
    for (let i = 0; i < 5; i += 1) {
      const response = await verify(ctx, user.email, wrong(code));
      expect((await expectProblem(response, 400, "bad_request")).detail).toBe(BAD_CODE);
    }
    const dead = await verify(ctx, user.email, code);
    expect((await expectProblem(dead, 400, "bad_request")).detail).toBe(BAD_CODE);

    const other = await signup(ctx);
    const otherCode = await codeFor(ctx, other.email);
    ctx.clock.advance(10 * 60_000);
    const expired = await verify(ctx, other.email, otherCode);
    expect((await expectProblem(expired, 400, "bad_request")).detail).toBe(BAD_CODE);
    const unknown = await verify(ctx, "nobody@example.com", otherCode);
    expect((await expectProblem(unknown, 400, "bad_request")).detail).toBe(BAD_CODE);
    expect((await isVerified(ctx, user.id)) || (await isVerified(ctx, other.id))).toBe(false);
  });

  test("a code does not verify another account", async () => {
    const ctx = await createTestContext(ENV);
    const first = await signup(ctx);
    const second = await signup(ctx);
    const code = await codeFor(ctx, first.email);
    await expectProblem(await verify(ctx, second.email, code), 400, "bad_request");
    expect(await isVerified(ctx, second.id)).toBe(false);
  });

  test("a code sent to an address the account no longer uses proves nothing", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    const code = await codeFor(ctx, user.email);
    const moved = `moved-${user.email}`;
    await dbOf(ctx.deps).update(users).set({ email: moved }).where(eq(users.id, user.id)).run();
    await expectProblem(await verify(ctx, moved, code), 400, "bad_request");
    expect(await isVerified(ctx, user.id)).toBe(false);
  });

  test("enqueueEmailVerification writes nothing when the caller's transaction rolls back", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    const before = (await dbOf(ctx.deps).select().from(jobs).all()).length;
    await expect(
      ctx.deps.sql.transaction(async () => {
        await dbOf(ctx.deps).delete(oneTimeCodes).run();
        await enqueueEmailVerification(ctx.deps, {
          ...user,
          email: "new@example.com",
        });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await dbOf(ctx.deps).select().from(jobs).all()).toHaveLength(before);
    expect(
      (await dbOf(ctx.deps).select().from(oneTimeCodes).all()).map((row) => row.email),
    ).toEqual([user.email]);
  });

  test("rejects malformed bodies", async () => {
    const ctx = await createTestContext(ENV);
    await expectProblem(await verify(ctx, "a@example.com", "1234567"), 422, "validation_error");
    await expectProblem(await resend(ctx, "nope"), 422, "validation_error");
  });
});

describe("resend-verification", () => {
  test("answers 202 alike for every address and mails only unverified accounts", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    const verified = await signup(ctx);
    await verify(ctx, verified.email, await codeFor(ctx, verified.email));
    ctx.clock.advance(61_000);
    ctx.mailer.sent.length = 0;

    const bodies: string[] = [];
    for (const email of [user.email, verified.email, "nobody@example.com"]) {
      const response = await resend(ctx, email);
      expect(response.status).toBe(202);
      expect(response.headers.get("content-type")).toStartWith("application/json");
      bodies.push(await response.text());
    }
    expect(new Set(bodies)).toEqual(new Set([JSON.stringify(RESENT_BODY)]));
    await deliverMail(ctx);
    expect(ctx.mailer.sent.map((m) => m.to)).toEqual([user.email]);
  });

  test("a new code replaces the old one; within 60 s nothing is sent", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    const first = await codeFor(ctx, user.email);
    expect((await resend(ctx, user.email)).status).toBe(202);
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(1);

    ctx.clock.advance(60_000);
    expect((await resend(ctx, user.email)).status).toBe(202);
    const second = await codeFor(ctx, user.email);
    expect(ctx.mailer.to(user.email)).toHaveLength(2);
    if (first !== second) {
      await expectProblem(await verify(ctx, user.email, first), 400, "bad_request");
    }
    expect((await verify(ctx, user.email, second)).status).toBe(200);
  });
});

describe("guessing and mailing limits", () => {
  test("resending does not bring new tries: after 10 wrong codes no code is sent or accepted", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    for (let round = 0; round < 2; round += 1) {
      if (round > 0) {
        ctx.clock.advance(61_000);
        expect((await resend(ctx, user.email)).status).toBe(202);
      }
      const code = await codeFor(ctx, user.email);
      for (let i = 0; i < MAX_CODE_ATTEMPTS; i += 1) {
        await expectProblem(await verify(ctx, user.email, wrong(code)), 400, "bad_request");
      }
    }
    ctx.clock.advance(61_000);
    const capped = await observable(await resend(ctx, user.email));
    expect(capped).toEqual(await observable(await resend(ctx, "nobody@example.com")));
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(2);
    const refused = await observable(await verify(ctx, user.email, "123456"));
    expect(refused).toEqual(await observable(await verify(ctx, "nobody@example.com", "123456")));
    expect(refused.status).toBe(400);
    expect(await isVerified(ctx, user.id)).toBe(false);

    ctx.clock.advance(CODE_FAILURE_MEMORY_MS);
    expect((await resend(ctx, user.email)).status).toBe(202);
    expect((await verify(ctx, user.email, await codeFor(ctx, user.email))).status).toBe(200);
    expect(await isVerified(ctx, user.id)).toBe(true);
  });

  test("at most five verification emails a day, the sign-up one included", async () => {
    const ctx = await createTestContext(ENV);
    const user = await signup(ctx);
    for (let i = 0; i < CODE_EMAILS_PER_DAY + 1; i += 1) {
      ctx.clock.advance(61_000);
      expect((await resend(ctx, user.email)).status).toBe(202);
    }
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email)).toHaveLength(CODE_EMAILS_PER_DAY);
    const last = await codeFor(ctx, user.email);
    expect((await verify(ctx, user.email, last)).status).toBe(200);
  });
});

describe("REQUIRE_EMAIL_VERIFICATION", () => {
  test("an unverified account cannot sign in until it verifies", async () => {
    const ctx = await createTestContext({ ...ENV, REQUIRE_EMAIL_VERIFICATION: "true" });
    const user = await signup(ctx);
    const refused = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
    });
    const problem = await expectProblem(refused, 403, "forbidden_access");
    expect(problem.detail).toStartWith("Verify your email address before signing in");
    const form = new URLSearchParams({
      grant_type: "password",
      username: user.username,
      password: user.password,
    });
    await expectProblem(
      await ctx.request("/api/v1/auth/token", { body: form }),
      403,
      "forbidden_access",
    );

    // A wrong password learns nothing about verification.
    const wrongPassword = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: "Not-the-password-1" },
    });
    await expectProblem(wrongPassword, 401, "unauthorized_error");

    await verify(ctx, user.email, await codeFor(ctx, user.email));
    const tokens = await login(ctx, user.email, user.password);
    expect(tokens.access_token).toBeString();
  });

  test("off by default: an unverified account signs in", async () => {
    const ctx = await createTestContext(ENV);
    const user = await createUser(ctx);
    expect(await isVerified(ctx, user.id)).toBe(false);
    expect(user.accessToken).toBeString();
  });
});

describe("over real SMTP", () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  test("the running worker mails the code after sign-up, and the code verifies", async () => {
    const ctx = await createTestContext({ ...ENV, SMTP_URL: smtp.url });
    await ctx.deps.jobs.start();
    try {
      const user = await signup(ctx);
      // No explicit run: the commit wakes the worker.
      const mail = await smtp.waitFor(user.email);
      expect(mail.raw).toContain("Subject: Verify your email address for Kanbun");
      expect(mail.raw).toContain("https://kanbun.test");
      const response = await verify(ctx, user.email, codeIn(mail.raw));
      expect(response.status).toBe(200);
      expect(await isVerified(ctx, user.id)).toBe(true);
    } finally {
      await ctx.deps.jobs.stop();
      ctx.deps.mailer.close();
    }
  });
});

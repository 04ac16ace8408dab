import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { jobs, users } from "../src/platform/db/tables";
import { expectJsonBody, forgetQueuedEmails, queuedEmailsTo, userRow } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, login, type TestUser } from "./support/factories";
import { deliverMail } from "./support/mailer";
import { dbOf } from "./support/orm";

const ME = "/api/v1/users/me";
const ATTACKER = "attacker@evil.example";

async function setup() {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const other = await createUser(ctx);
  await dbOf(ctx.deps)
    .update(users)
    .set({ emailVerified: true })
    .where(eq(users.id, user.id))
    .run();
  await forgetQueuedEmails(ctx);
  return { ctx, user, other };
}

function patchMe(ctx: TestContext, user: TestUser, body: Record<string, unknown>) {
  return ctx.request(ME, { method: "PATCH", token: user.accessToken, body });
}

/** The account is exactly as it was and no email of any kind was queued. */
async function expectUnchanged(ctx: TestContext, user: TestUser) {
  expect(await userRow(ctx, user.id)).toMatchObject({
    username: user.username,
    email: user.email,
    emailVerified: true,
  });
  expect(await dbOf(ctx.deps).select().from(jobs).all()).toHaveLength(0);
}

describe("changing the email address needs the current password", () => {
  test("a stolen access token alone cannot move the account to another address", async () => {
    const { ctx, user } = await setup();
    const problem = await expectProblem(
      await patchMe(ctx, user, { email: ATTACKER }),
      422,
      "validation_error",
    );
    expect(problem.errors).toEqual([
      { path: "/current_password", message: "Required when email is given" },
    ]);
    await expectUnchanged(ctx, user);
    // So a reset asked for the attacker's address sends nothing anywhere.
    const forgot = await ctx.request("/api/v1/auth/forgot-password", { body: { email: ATTACKER } });
    expect(forgot.status).toBe(202);
    expect(await deliverMail(ctx)).toEqual([]);
  });

  test("a wrong current password is 400, checked before the address is looked up", async () => {
    const { ctx, user, other } = await setup();
    for (const email of [ATTACKER, other.email, user.email]) {
      const problem = await expectProblem(
        await patchMe(ctx, user, { email, current_password: `${user.password}x` }),
        400,
        "bad_request",
      );
      // The same answer for a free and a taken address: no probing for accounts.
      expect(problem.detail).toBe("Current password is incorrect");
    }
    // Given with other fields, the password must still be right, and nothing is half-applied.
    const problem = await expectProblem(
      await patchMe(ctx, user, { full_name: "Mallory", current_password: "wrong-password" }),
      400,
      "bad_request",
    );
    expect(problem.detail).toBe("Current password is incorrect");
    expect((await userRow(ctx, user.id))?.fullName).toBeNull();
    await expectUnchanged(ctx, user);
  });

  test("with the right password the address changes and the old address gets a notice", async () => {
    const { ctx, user } = await setup();
    const body = await expectJsonBody(
      await patchMe(ctx, user, {
        email: "Moved@Example.COM",
        username: "moved_user",
        current_password: user.password,
      }),
    );
    expect(body).toMatchObject({
      email: "moved@example.com",
      username: "moved_user",
      email_verified: false,
    });
    const [notice, ...more] = await queuedEmailsTo(ctx, user.email);
    expect(more).toHaveLength(0);
    expect(notice?.subject).toBe("Your Kanbun email address was changed");
    expect(notice?.text).toContain("Hello moved_user,");
    expect(notice?.text).toContain(`from ${user.email} to moved@example.com`);
    expect(notice?.text).toContain("If this was not you");
    // The notice carries no code; the verification code goes to the new address only.
    expect(notice?.text).not.toMatch(/^\d{6}$/m);
    expect(await queuedEmailsTo(ctx, "moved@example.com")).toHaveLength(1);
    // Both are really sent.
    const sent = await deliverMail(ctx);
    expect(sent.map((message) => message.to).sort()).toEqual(["moved@example.com", user.email]);
    await login(ctx, "moved@example.com", user.password);
  });

  test("the same address in other letter case still needs the password but changes nothing", async () => {
    const { ctx, user } = await setup();
    await expectProblem(
      await patchMe(ctx, user, { email: user.email.toUpperCase() }),
      422,
      "validation_error",
    );
    const body = await expectJsonBody(
      await patchMe(ctx, user, {
        email: user.email.toUpperCase(),
        current_password: user.password,
      }),
    );
    expect(body).toMatchObject({ email: user.email, email_verified: true });
    await expectUnchanged(ctx, user);
  });

  test("username, name and settings change without a password", async () => {
    const { ctx, user } = await setup();
    const body = await expectJsonBody(
      await patchMe(ctx, user, { username: "renamed.one", full_name: "Renamed" }),
    );
    expect(body).toMatchObject({
      username: "renamed.one",
      full_name: "Renamed",
      email: user.email,
    });
    expect(await dbOf(ctx.deps).select().from(jobs).all()).toHaveLength(0);
  });

  test("a current_password over 1024 characters or not a string is 422", async () => {
    const { ctx, user } = await setup();
    for (const current_password of ["x".repeat(1025), 12345678, null]) {
      const problem = await expectProblem(
        await patchMe(ctx, user, { email: ATTACKER, current_password }),
        422,
        "validation_error",
      );
      expect(problem.errors?.some((error) => error.path === "/current_password")).toBe(true);
    }
    await expectUnchanged(ctx, user);
  });

  test("the OpenAPI document describes current_password and the rule", async () => {
    const { ctx } = await setup();
    type BodySchema = {
      properties: Record<string, unknown>;
      dependentRequired?: Record<string, string[]>;
    };
    const spec = await expectJsonBody<{
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, BodySchema> };
    }>(await ctx.request("/docs/json"));
    const operation = spec.paths["/api/v1/users/me"]?.patch as {
      description: string;
      requestBody: { content: Record<string, { schema: { $ref: string } }> };
    };
    expect(operation.description).toContain("needs `current_password`");
    expect(operation.description).toContain("old address");
    const ref = operation.requestBody.content["application/json"]?.schema.$ref;
    expect(ref).toBe("#/components/schemas/UpdateMeBody");
    const schema = spec.components.schemas.UpdateMeBody;
    expect(Object.keys(schema?.properties ?? {})).toContain("current_password");
    // JSON Schema's own way to say it, so that validators and generated clients know too.
    expect(schema?.dependentRequired).toEqual({ email: ["current_password"] });
  });
});

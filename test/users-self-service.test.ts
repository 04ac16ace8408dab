import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { jobs, users } from "../src/platform/db/tables";
import {
  countRows,
  expectJsonBody,
  forgetQueuedEmails,
  queuedEmailsTo,
  userRow,
} from "./support/accounts";
import { createTestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, login } from "./support/factories";
import { dbOf } from "./support/orm";

const ME = "/api/v1/users/me";
const PASSWORD = `${ME}/password`;

describe("PATCH /users/me", () => {
  test("changes the name, username and notification setting and returns the user", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    ctx.clock.advance(5_000);
    const body = await expectJsonBody(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { full_name: "  Ada Lovelace ", username: "Ada.L", email_notifications: false },
      }),
    );
    expect(body).toMatchObject({
      id: user.id,
      username: "Ada.L",
      email: user.email,
      full_name: "Ada Lovelace",
      role: "user",
      email_notifications: false,
    });
    expect((await userRow(ctx, user.id))?.updatedAt).toBe(ctx.clock.now());
    const me = await expectJsonBody(await ctx.request(ME, { token: user.accessToken }));
    expect(me).toEqual(body);
    // The new username signs in; full_name: null clears the name.
    await login(ctx, "ada.l", user.password);
    const cleared = await expectJsonBody(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { full_name: null },
      }),
    );
    expect(cleared.full_name).toBeNull();
    expect(cleared.username).toBe("Ada.L");
  });

  test("a new email is stored lower-cased, unverified, and sent a verification code", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    await forgetQueuedEmails(ctx);
    await dbOf(ctx.deps)
      .update(users)
      .set({ emailVerified: true })
      .where(eq(users.id, user.id))
      .run();
    const body = await expectJsonBody(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { email: "New.Address@Example.COM", current_password: user.password },
      }),
    );
    expect(body.email).toBe("new.address@example.com");
    expect(body.email_verified).toBe(false);
    expect((await userRow(ctx, user.id))?.email).toBe("new.address@example.com");
    const [email, ...more] = await queuedEmailsTo(ctx, "new.address@example.com");
    expect(more).toHaveLength(0);
    expect(email?.text).toMatch(/\b\d{6}\b/);
    expect(
      await countRows(
        ctx,
        "one_time_codes",
        "user_id = ? AND purpose = 'email_verification' AND email = 'new.address@example.com'",
        user.id,
      ),
    ).toBe(1);
    // The old address only gets a notice of the change, never a code.
    const [notice, ...others] = await queuedEmailsTo(ctx, user.email);
    expect(others).toHaveLength(0);
    expect(notice?.text).toContain("new.address@example.com");
    expect(notice?.text).not.toMatch(/^\d{6}$/m);
    await login(ctx, "new.address@example.com", user.password);
  });

  test("the same email in other letter case changes nothing and sends nothing", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    await forgetQueuedEmails(ctx);
    await dbOf(ctx.deps)
      .update(users)
      .set({ emailVerified: true })
      .where(eq(users.id, user.id))
      .run();
    const body = await expectJsonBody(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { email: user.email.toUpperCase(), current_password: user.password },
      }),
    );
    expect(body).toMatchObject({ email: user.email, email_verified: true });
    expect(await dbOf(ctx.deps).select().from(jobs).all()).toHaveLength(0);
  });

  test("a username or email taken by someone else (any case) is 400, and nothing changes", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const other = await createUser(ctx);
    await forgetQueuedEmails(ctx);
    for (const body of [
      { username: other.username.toUpperCase() },
      { email: other.email.toUpperCase(), current_password: user.password },
      { full_name: "Changed", email: other.email, current_password: user.password },
    ]) {
      const problem = await expectProblem(
        await ctx.request(ME, { method: "PATCH", token: user.accessToken, body }),
        400,
        "bad_request",
      );
      expect(problem.detail).toBe("Username or email already exists");
    }
    expect(await userRow(ctx, user.id)).toMatchObject({
      username: user.username,
      email: user.email,
      fullName: null,
    });
    expect(await dbOf(ctx.deps).select().from(jobs).all()).toHaveLength(0);
    // Changing only the case of one's own username is fine.
    const own = await expectJsonBody(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { username: user.username.toUpperCase() },
      }),
    );
    expect(own.username).toBe(user.username.toUpperCase());
  });

  test.each([
    ["a short username", { username: "ab" }, "/username"],
    ["a username with a space", { username: "a b c" }, "/username"],
    ["an invalid email", { email: "not-an-email", current_password: "x" }, "/email"],
    ["a long full name", { full_name: "x".repeat(101) }, "/full_name"],
    ["a non-boolean email_notifications", { email_notifications: "no" }, "/email_notifications"],
  ])("%s is 422", async (_, body, path) => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const problem = await expectProblem(
      await ctx.request(ME, { method: "PATCH", token: user.accessToken, body }),
      422,
      "validation_error",
    );
    expect(problem.errors?.some((error) => error.path === path)).toBe(true);
  });

  test.each([
    ["role", "superadmin"],
    ["id", 999],
    ["email_verified", true],
    ["is_active", false],
    ["password", "Another-long-passphrase-1"],
    ["created_at", "2020-01-01T00:00:00Z"],
    ["nickname", "x"],
  ])("unknown or server-owned field %s is 422 and nothing changes", async (field, value) => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    await expectProblem(
      await ctx.request(ME, {
        method: "PATCH",
        token: user.accessToken,
        body: { full_name: "Sneaky", [field]: value },
      }),
      422,
      "validation_error",
    );
    expect(await userRow(ctx, user.id)).toMatchObject({
      role: "user",
      fullName: null,
      emailVerified: false,
      isActive: true,
    });
  });

  test("an anonymous caller gets 401", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const response = await ctx.request(ME, { method: "PATCH", body: { full_name: "x" } });
    await expectProblem(response, 401, "unauthorized_error");
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });
});

describe("POST /users/me/password", () => {
  const NEW = "Completely-new-passphrase-42";

  test("changes the password, ends every other session, keeps this one, and emails a notice", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const other = await login(ctx, user.email, user.password);
    await forgetQueuedEmails(ctx);
    // A password reset under way must not be able to undo the change.
    await ctx.deps.sql.run(
      "INSERT INTO password_reset_tokens (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
      [user.id, "pending-reset", ctx.clock.now(), ctx.clock.now() + 60_000],
    );
    const response = await ctx.request(PASSWORD, {
      token: user.accessToken,
      body: { current_password: user.password, new_password: NEW },
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");

    expect((await ctx.request(ME, { token: user.accessToken })).status).toBe(200);
    await expectProblem(
      await ctx.request(ME, { token: other.access_token }),
      401,
      "unauthorized_error",
    );
    await expectProblem(
      await ctx.request("/api/v1/auth/refresh", { body: { refresh_token: other.refresh_token } }),
      401,
      "unauthorized_error",
    );
    // This session's refresh token still works.
    expect(
      (await ctx.request("/api/v1/auth/refresh", { body: { refresh_token: user.refreshToken } }))
        .status,
    ).toBe(200);
    await expectProblem(
      await ctx.request("/api/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      401,
      "unauthorized_error",
    );
    await login(ctx, user.email, NEW);
    expect(await countRows(ctx, "password_reset_tokens", "user_id = ?", user.id)).toBe(0);
    const notices = await queuedEmailsTo(ctx, user.email);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.subject.toLowerCase()).toContain("password");
  });

  test("a wrong current password is 400 and changes nothing", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const other = await login(ctx, user.email, user.password);
    await forgetQueuedEmails(ctx);
    const problem = await expectProblem(
      await ctx.request(PASSWORD, {
        token: user.accessToken,
        body: { current_password: `${user.password}x`, new_password: NEW },
      }),
      400,
      "bad_request",
    );
    expect(problem.detail).toBe("Current password is incorrect");
    expect((await ctx.request(ME, { token: other.access_token })).status).toBe(200);
    await login(ctx, user.email, user.password);
    expect(await queuedEmailsTo(ctx, user.email)).toHaveLength(0);
  });

  test.each([
    ["too short", { new_password: "short1!" }, "/new_password"],
    ["too long", { new_password: "x".repeat(129) }, "/new_password"],
    ["common", { new_password: "password123" }, "/new_password"],
    ["missing", {}, "/new_password"],
  ])("a new password that is %s is 422", async (_, fields, path) => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const problem = await expectProblem(
      await ctx.request(PASSWORD, {
        token: user.accessToken,
        body: { current_password: user.password, ...fields },
      }),
      422,
      "validation_error",
    );
    expect(problem.errors?.some((error) => error.path === path)).toBe(true);
    await login(ctx, user.email, user.password);
  });

  test("unknown fields are 422 and an anonymous caller gets 401", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    await expectProblem(
      await ctx.request(PASSWORD, {
        token: user.accessToken,
        body: { current_password: user.password, new_password: NEW, logout_all: true },
      }),
      422,
      "validation_error",
    );
    await expectProblem(
      await ctx.request(PASSWORD, { body: { current_password: user.password, new_password: NEW } }),
      401,
      "unauthorized_error",
    );
    await login(ctx, user.email, user.password);
  });
});

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { createTestContext } from "./support/app";
import { cliWorkspaces, runCommand } from "./support/cli";
import { createUser } from "./support/factories";
import { codeIn, deliverMail } from "./support/mailer";
import { inbox, notificationEvents } from "./support/notifications";

const workspaces = cliWorkspaces("kanbun-cli-notify-");
afterAll(workspaces.removeAll);

describe("a password change raises a notice", () => {
  test("when reset with an emailed code, with one email about it", async () => {
    const ctx = await createTestContext();
    const user = await createUser(ctx);
    await ctx.request("/api/v1/auth/forgot-password", { body: { email: user.email } });
    await deliverMail(ctx);
    const otp = codeIn(ctx.mailer.lastTo(user.email)?.text ?? "");
    const verified = await ctx.request("/api/v1/auth/verify-otp", {
      body: { email: user.email, otp },
    });
    const { reset_token } = (await verified.json()) as { reset_token: string };
    const reset = await ctx.request("/api/v1/auth/reset-password", {
      body: { reset_token, new_password: "Fresh-sturdy-pass-4" },
    });
    expect(reset.status).toBe(200);
    ctx.mailer.sent.length = 0;
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email).map((m) => m.subject)).toEqual([
      "Your Kanbun password was changed",
    ]);

    const tokens = await ctx.request("/api/v1/auth/login", {
      body: { email: user.email, password: "Fresh-sturdy-pass-4" },
    });
    const { access_token } = (await tokens.json()) as { access_token: string };
    const { items } = await inbox(ctx, { ...user, accessToken: access_token });
    expect(items).toEqual([
      expect.objectContaining({ type: "password_changed", actor: null, board_id: null }),
    ]);
    expect(await notificationEvents(ctx, user.id)).toHaveLength(1);
  });

  test("when an operator sets it with the CLI", async () => {
    const { env } = workspaces.next();
    const create = ["users", "create", "--username", "ada", "--email", "ada@example.com"];
    expect((await runCommand([...create, "--password", "Sturdy-cli-pass-1"], env)).code).toBe(0);
    const set = ["users", "set-password", "--email", "ada@example.com"];
    expect((await runCommand([...set, "--password", "Sturdy-cli-pass-2"], env)).code).toBe(0);

    const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
    try {
      const rows = sqlite.query("SELECT type, user_id FROM notifications").all();
      expect(rows).toEqual([{ type: "password_changed", user_id: 1 }]);
      const events = sqlite
        .query("SELECT type, user_id FROM events WHERE type = 'notification.created'")
        .all();
      expect(events).toEqual([{ type: "notification.created", user_id: 1 }]);
      // No job: the CLI sends no mail.
      expect(sqlite.query("SELECT count(*) AS n FROM jobs").get()).toEqual({ n: 0 });
    } finally {
      sqlite.close();
    }
  });
});

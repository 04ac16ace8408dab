import { describe, expect, test } from "bun:test";
import { createScheduler } from "../src/modules/jobs/scheduler";
import type { MailMessage } from "../src/platform/mailer";
import { createTestContext, type TestContext } from "./support/app";
import { addMember, createBoard, createCard, createList } from "./support/boards";
import { createTask, createUser, expectProblem, type TestUser } from "./support/factories";
import { deliverMail } from "./support/mailer";
import { inbox, verifyEmail } from "./support/notifications";

const APP_URL = "https://kanbun.example";

async function context() {
  return createTestContext({ APP_URL });
}

/** The notification emails sent to the user so far. */
async function noticesTo(ctx: TestContext, user: TestUser): Promise<MailMessage[]> {
  await deliverMail(ctx);
  return ctx.mailer.to(user.email).filter((message) => message.headers?.["List-Unsubscribe"]);
}

function tokenIn(message: MailMessage | undefined): string {
  const header = message?.headers?.["List-Unsubscribe"] ?? "";
  const match =
    /^<https:\/\/kanbun\.example\/api\/v1\/notifications\/unsubscribe\?token=([\w-]+)>$/.exec(
      header,
    );
  if (!match?.[1]) throw new Error(`no unsubscribe link in ${header}`);
  return match[1];
}

function unsubscribe(
  ctx: TestContext,
  token: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
) {
  return ctx.request(`/api/v1/notifications/unsubscribe?token=${token}`, {
    method: "POST",
    ...init,
  });
}

async function me(ctx: TestContext, user: TestUser) {
  const response = await ctx.request("/api/v1/users/me", { token: user.accessToken });
  return (await response.json()) as { email_notifications: boolean };
}

async function boardWith(ctx: TestContext, member: TestUser) {
  const owner = await createUser(ctx);
  const board = await createBoard(ctx, owner, { name: "Ops" });
  await addMember(ctx, owner, board.id, member, "editor");
  const list = await createList(ctx, owner, board.id);
  return { owner, board, list };
}

describe("notification emails", () => {
  test("go to a verified address, with a link to the item and RFC 8058 unsubscribe headers", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    await verifyEmail(ctx, user);
    const { owner, board, list } = await boardWith(ctx, user);
    const card = await createCard(ctx, owner, list.id, {
      title: "Deploy <v2>",
      assignee_id: user.id,
    });

    const sent = await noticesTo(ctx, user);
    expect(sent.map((m) => m.subject)).toEqual([
      `${owner.username} added you to the board “Ops” as editor`,
      `${owner.username} assigned you “Deploy <v2>”`,
    ]);
    const assigned = sent[1];
    expect(assigned?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(assigned?.text).toContain(`Open it: ${APP_URL}/boards/${board.id}?card=${card.id}`);
    expect(assigned?.text).toContain(
      `${APP_URL}/api/v1/notifications/unsubscribe?token=${tokenIn(assigned)}`,
    );
    expect(assigned?.html).toContain("Deploy &lt;v2&gt;");
    expect(assigned?.html).not.toContain("<v2>");
    expect(sent[0]?.text).toContain(`Open it: ${APP_URL}/boards/${board.id}\n`);
    // Each email has a link of its own.
    expect(tokenIn(sent[0])).not.toBe(tokenIn(assigned));
  });

  test("a personal task's reminder links to the task list", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    await verifyEmail(ctx, user);
    const task = await createTask(ctx, user, {
      due_date: new Date(ctx.clock.now() + 3_600_000).toISOString(),
    });
    await createScheduler(ctx.deps).remindDue();
    const [reminder] = await noticesTo(ctx, user);
    expect(reminder?.text).toContain(`Open it: ${APP_URL}/tasks?task=${task.id}`);
  });

  test("none is sent to an unverified address, or when email notifications are off", async () => {
    const ctx = await context();
    const unverified = await createUser(ctx);
    await boardWith(ctx, unverified);
    expect((await inbox(ctx, unverified)).total).toBe(1);
    expect(await noticesTo(ctx, unverified)).toEqual([]);

    const user = await createUser(ctx);
    await verifyEmail(ctx, user);
    const off = await ctx.request("/api/v1/users/me", {
      method: "PATCH",
      token: user.accessToken,
      body: { email_notifications: false },
    });
    expect(((await off.json()) as { email_notifications: boolean }).email_notifications).toBe(
      false,
    );
    await boardWith(ctx, user);
    expect((await inbox(ctx, user)).total).toBe(1);
    expect(await noticesTo(ctx, user)).toEqual([]);
  });

  test("a password change sends one email, the security notice, whatever the preference", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    await verifyEmail(ctx, user);
    const response = await ctx.request("/api/v1/users/me/password", {
      token: user.accessToken,
      body: { current_password: user.password, new_password: "Another-sturdy-pass-9" },
    });
    expect(response.status).toBe(204);
    expect((await inbox(ctx, user)).items.map((n) => n.type)).toEqual(["password_changed"]);
    await deliverMail(ctx);
    expect(ctx.mailer.to(user.email).map((m) => m.subject)).toEqual([
      "Your Kanbun password was changed",
    ]);
  });
});

describe("the unsubscribe link", () => {
  async function linkFor(ctx: TestContext, user: TestUser) {
    await verifyEmail(ctx, user);
    await boardWith(ctx, user);
    return tokenIn((await noticesTo(ctx, user)).at(-1));
  }

  test("shows a page that changes nothing; its one-click POST turns emails off, idempotently", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    const token = await linkFor(ctx, user);

    const page = await ctx.request(`/api/v1/notifications/unsubscribe?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    const html = await page.text();
    expect(html).toContain(user.username);
    expect(html).toContain(`action="/api/v1/notifications/unsubscribe?token=${token}"`);
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await me(ctx, user)).email_notifications).toBe(true);

    const body = new URLSearchParams({ "List-Unsubscribe": "One-Click" });
    const response = await unsubscribe(ctx, token, { body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      message: expect.any(String),
      email_notifications: false,
    });
    expect((await me(ctx, user)).email_notifications).toBe(false);
    expect((await unsubscribe(ctx, token, { body })).status).toBe(200);

    // From now on nothing is emailed.
    ctx.mailer.sent.length = 0;
    await boardWith(ctx, user);
    expect(await noticesTo(ctx, user)).toEqual([]);
  });

  test("takes the one-click form as multipart too, or no body at all", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    const token = await linkFor(ctx, user);
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const multipart = new Response(form);
    // Read before the body: Bun's Response drops the generated type once the body is read.
    const type = multipart.headers.get("content-type") ?? "";
    expect(type).toStartWith("multipart/form-data; boundary=");
    const response = await unsubscribe(ctx, token, {
      body: await multipart.text(),
      headers: { "content-type": type },
    });
    expect(response.status).toBe(200);
    expect((await me(ctx, user)).email_notifications).toBe(false);
    expect((await unsubscribe(ctx, token)).status).toBe(200);
  });

  test("a tampered or unknown token does nothing; a link works only for its own user", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    const other = await createUser(ctx);
    const token = await linkFor(ctx, user);
    await linkFor(ctx, other);
    const tampered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const bad of [tampered, "nonsense", "x".repeat(256)]) {
      await expectProblem(await unsubscribe(ctx, bad), 400, "bad_request");
      await expectProblem(
        await ctx.request(`/api/v1/notifications/unsubscribe?token=${bad}`),
        400,
        "bad_request",
      );
    }
    await expectProblem(
      await ctx.request("/api/v1/notifications/unsubscribe", { method: "POST" }),
      422,
      "validation_error",
    );
    expect((await me(ctx, user)).email_notifications).toBe(true);

    expect((await unsubscribe(ctx, token)).status).toBe(200);
    expect((await me(ctx, user)).email_notifications).toBe(false);
    expect((await me(ctx, other)).email_notifications).toBe(true);
  });

  test("another media type, a broken multipart body or unknown fields are refused", async () => {
    const ctx = await context();
    const user = await createUser(ctx);
    const token = await linkFor(ctx, user);
    const plain = await unsubscribe(ctx, token, {
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "text/plain" },
    });
    await expectProblem(plain, 415, "unsupported_media_type");
    const broken = await unsubscribe(ctx, token, {
      body: "--x\r\nnot a part",
      headers: { "content-type": "multipart/form-data; boundary=x" },
    });
    await expectProblem(broken, 400, "bad_request");
    const unknown = await unsubscribe(ctx, token, {
      body: new URLSearchParams({ "List-Unsubscribe": "One-Click", email: "x@example.com" }),
    });
    await expectProblem(unknown, 422, "validation_error");
    // Multipart is for this route only.
    const elsewhere = await ctx.request("/api/v1/auth/token", {
      method: "POST",
      body: "--x\r\n",
      headers: { "content-type": "multipart/form-data; boundary=x" },
    });
    await expectProblem(elsewhere, 415, "unsupported_media_type");
    expect((await me(ctx, user)).email_notifications).toBe(true);
  });
});

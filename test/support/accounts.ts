import { expect } from "bun:test";
import { eq } from "drizzle-orm";
import { jobs, type Role, users } from "../../src/platform/db/tables";
import type { TestContext } from "./app";
import { createUser, type TestUser } from "./factories";
import { dbOf } from "./orm";

/** Asserts a JSON response with the given status and returns its parsed body. */
export async function expectJsonBody<T = Record<string, unknown>>(
  response: Response,
  status = 200,
): Promise<T> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  }
  expect(response.headers.get("content-type")).toStartWith("application/json");
  return JSON.parse(text) as T;
}

/** Test setup: gives a user a role (and active flag) straight in the database. */
export async function setRole(ctx: TestContext, user: { id: number }, role: Role, isActive = true) {
  await dbOf(ctx.deps).update(users).set({ role, isActive }).where(eq(users.id, user.id)).run();
}

export async function createUserWithRole(
  ctx: TestContext,
  role: Role,
  overrides: Parameters<typeof createUser>[1] = {},
): Promise<TestUser> {
  const user = await createUser(ctx, overrides);
  await setRole(ctx, user, role);
  return user;
}

export async function userRow(ctx: TestContext, id: number) {
  return await dbOf(ctx.deps).select().from(users).where(eq(users.id, id)).get();
}

export async function countRows(
  ctx: TestContext,
  table: string,
  where: string,
  ...args: number[]
): Promise<number> {
  const row = await ctx.deps.sql.get<{ n: number }>(
    `SELECT count(*) AS n FROM ${table} WHERE ${where}`,
    args,
  );
  return row?.n ?? -1;
}

/** Sign-up queues a verification email; tests that count emails start after it. */
export async function forgetQueuedEmails(ctx: TestContext): Promise<void> {
  await ctx.deps.sql.run("DELETE FROM jobs");
}

/** Emails waiting in the job queue for one address. */
export async function queuedEmailsTo(ctx: TestContext, address: string) {
  return (await dbOf(ctx.deps).select().from(jobs).all())
    .map((job) => JSON.parse(job.payload) as { to: string; subject: string; text: string })
    .filter((message) => message.to === address);
}

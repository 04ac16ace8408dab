import type { TestContext } from "./app";

let sequence = 0;

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Unique sign-up values for each call. */
export function userValues(
  overrides: Partial<{ username: string; email: string; password: string; full_name: string }> = {},
) {
  sequence += 1;
  const suffix = `${sequence}${Math.random().toString(36).slice(2, 6)}`;
  return {
    username: `user_${suffix}`,
    email: `user_${suffix}@example.com`,
    password: `Sturdy-${suffix}-passphrase`,
    ...overrides,
  };
}

/** Signs up and logs in a new user through the HTTP API. */
export async function createUser(
  ctx: Pick<TestContext, "request">,
  overrides: Parameters<typeof userValues>[0] = {},
): Promise<TestUser> {
  const values = userValues(overrides);
  const signup = await ctx.request("/api/v1/auth/signup", { body: values });
  if (signup.status !== 201)
    throw new Error(`signup failed: ${signup.status} ${await signup.text()}`);
  const { user } = (await signup.json()) as { user: { id: number } };
  const tokens = await login(ctx, values.email, values.password);
  return {
    id: user.id,
    ...values,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}

export async function login(ctx: Pick<TestContext, "request">, login: string, password: string) {
  const field = login.includes("@") ? "email" : "username";
  const response = await ctx.request("/api/v1/auth/login", { body: { [field]: login, password } });
  if (response.status !== 200)
    throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
  };
}

let taskSequence = 0;

/** Creates a task through the API and returns its JSON. */
export async function createTask(
  ctx: TestContext,
  user: TestUser,
  body: Record<string, unknown> = {},
) {
  taskSequence += 1;
  const response = await ctx.request("/api/v1/tasks", {
    token: user.accessToken,
    body: { title: `Task ${taskSequence}`, ...body },
  });
  if (response.status !== 201)
    throw new Error(`create task failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown> & { id: number; version: number };
}

/** Asserts the response is an RFC 9457 problem with the given status and code; returns the body. */
export async function expectProblem(response: Response, status: number, code: string) {
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  if (!response.headers.get("content-type")?.startsWith("application/problem+json")) {
    throw new Error(`expected problem+json, got ${response.headers.get("content-type")}: ${text}`);
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  if (body.code !== code || body.status !== status)
    throw new Error(`expected code ${code}: ${text}`);
  return body as {
    detail: string;
    errors?: { path: string; message: string }[];
    [key: string]: unknown;
  };
}

import type { PasswordHasher } from "../../src/platform/passwords";
import type { TestContext } from "../support/app";

// Limits as shipped (AUTH_RATE_LIMIT_MAX 10, so an account budget of 10; bans at 50), with each
// request's address forwarded so that every guess can come from an address of its own.
export const SHIPPED = { RATE_LIMIT_MAX: "0", TRUST_PROXY: "true" };
export const BUDGET = 10;
export const WRONG = "Wrong-password-1";

/** Counts every password verification that reaches the hasher, real or dummy. */
export function countPasswordChecks(ctx: TestContext): { checks: number } {
  const real = ctx.deps.passwords;
  const counter = { checks: 0 };
  const counted: PasswordHasher = {
    hash: (password) => real.hash(password),
    verify: (password, hash) => {
      counter.checks += 1;
      return real.verify(password, hash);
    },
    verifyAgainstDummy: (password) => {
      counter.checks += 1;
      return real.verifyAgainstDummy(password);
    },
  };
  ctx.deps.passwords = counted;
  return counter;
}

export type Identifier = { email: string } | { username: string };

/** A sign-in from the given address. */
export function attempt(ctx: TestContext, who: Identifier, password: string, ip: string) {
  return ctx.request("/api/v1/auth/login", {
    body: { ...who, password },
    headers: { "x-forwarded-for": ip },
  });
}

/** Fires every attempt at once and tallies the answers by status. */
export async function simultaneously(attempts: Promise<Response>[]) {
  const responses = await Promise.all(attempts);
  const statuses: Record<number, number> = {};
  for (const response of responses)
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  return { responses, statuses };
}

export const addresses = (count: number, prefix = "10.20") =>
  Array.from({ length: count }, (_, i) => `${prefix}.${Math.floor(i / 250)}.${(i % 250) + 1}`);

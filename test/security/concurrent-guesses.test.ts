import { describe, expect, test } from "bun:test";
import { ACCOUNT_FAILURE_WINDOW_MS } from "../../src/modules/auth/throttle";
import { createPasswordHasher, TEST_PASSWORD_COST } from "../../src/platform/passwords";
import { setRole } from "../support/accounts";
import { createTestContext } from "../support/app";
import { createUser, expectProblem } from "../support/factories";
import {
  addresses,
  attempt,
  BUDGET,
  countPasswordChecks,
  type Identifier,
  SHIPPED,
  simultaneously,
  WRONG,
} from "./guessing";
import { observable } from "./helpers";

describe("the per-account budget holds under concurrency", () => {
  for (const guesses of [40, 100]) {
    test(`${guesses} simultaneous guesses from ${guesses} addresses reach the password check ${BUDGET} times`, async () => {
      const ctx = await createTestContext(SHIPPED);
      const victim = await createUser(ctx);
      const counter = countPasswordChecks(ctx);
      const { responses, statuses } = await simultaneously(
        addresses(guesses).map((ip) => attempt(ctx, { email: victim.email }, WRONG, ip)),
      );
      expect(counter.checks).toBe(BUDGET);
      expect(statuses).toEqual({ 401: BUDGET, 429: guesses - BUDGET });
      const refused = responses.find((response) => response.status === 429) ?? new Response();
      const body = await expectProblem(refused, 429, "too_many_requests");
      // Refused while the budget was held by attempts in progress: worth a retry in a moment.
      expect(body.detail).toBe("Too many attempts for this account in progress; try again shortly");
      expect(refused.headers.get("retry-after")).toBe("1");

      // Now the budget is spent: even the owner's password waits for the window, unchecked.
      const owner = await attempt(ctx, { email: victim.email }, victim.password, "10.21.0.1");
      const locked = await expectProblem(owner, 429, "too_many_requests");
      expect(locked.detail).toBe("Too many failed attempts for this account; try again later");
      expect(owner.headers.get("retry-after")).toBe(String(ACCOUNT_FAILURE_WINDOW_MS / 1000));
      expect(counter.checks).toBe(BUDGET);
    });
  }

  test("username and email, in any case, draw from the account's one budget", async () => {
    const ctx = await createTestContext(SHIPPED);
    const victim = await createUser(ctx);
    const counter = countPasswordChecks(ctx);
    const names: Identifier[] = [
      { email: victim.email },
      { email: ` ${victim.email.toUpperCase()} ` },
      { username: victim.username },
      { username: victim.username.toUpperCase() },
    ];
    const { statuses } = await simultaneously(
      addresses(40).map((ip, i) => attempt(ctx, names[i % names.length] as Identifier, WRONG, ip)),
    );
    expect(counter.checks).toBe(BUDGET);
    expect(statuses).toEqual({ 401: BUDGET, 429: 40 - BUDGET });
    const byName = await attempt(ctx, { username: victim.username }, victim.password, "10.21.0.2");
    await expectProblem(byName, 429, "too_many_requests");
    // Another account is untouched.
    const other = await createUser(ctx);
    expect(
      (await attempt(ctx, { username: other.username }, other.password, "10.21.0.3")).status,
    ).toBe(200);
  });

  test("a name without an account has a budget of its own, shared by its spellings", async () => {
    const ctx = await createTestContext(SHIPPED);
    const real = await createUser(ctx);
    const counter = countPasswordChecks(ctx);
    const guessAll = (spellings: Identifier[], prefix: string) =>
      simultaneously(
        addresses(40, prefix).map((ip, i) =>
          attempt(ctx, spellings[i % spellings.length] as Identifier, WRONG, ip),
        ),
      );
    const ghost = await guessAll(
      [{ email: "ghost@example.com" }, { email: "GHOST@Example.com" }],
      "10.31",
    );
    const account = await guessAll(
      [{ email: real.email }, { email: real.email.toUpperCase() }],
      "10.32",
    );
    // The same answers, and the same number of checks, whether or not the account exists.
    expect(counter.checks).toBe(2 * BUDGET);
    expect(ghost.statuses).toEqual({ 401: BUDGET, 429: 40 - BUDGET });
    expect(account.statuses).toEqual(ghost.statuses);
    for (const status of [401, 429]) {
      const pick = (run: typeof ghost) =>
        run.responses.find((r) => r.status === status) ?? new Response();
      expect(await observable(pick(account))).toEqual(await observable(pick(ghost)));
    }
    const locked = await Promise.all(
      [{ email: "ghost@example.com" }, { email: real.email }].map((who) =>
        attempt(ctx, who, WRONG, "10.33.0.1"),
      ),
    );
    const [ghostLocked, accountLocked] = await Promise.all(locked.map(observable));
    expect(ghostLocked?.status).toBe(429);
    expect(accountLocked).toEqual(ghostLocked);
  });

  test("the right password works while under budget, and hands its place back", async () => {
    const ctx = await createTestContext(SHIPPED);
    const owner = await createUser(ctx);
    const counter = countPasswordChecks(ctx);
    // Budget-many sign-ins at once all succeed and use up nothing...
    const signIns = await simultaneously(
      addresses(BUDGET, "10.22").map((ip) =>
        attempt(ctx, { email: owner.email }, owner.password, ip),
      ),
    );
    expect(signIns.statuses).toEqual({ 200: BUDGET });
    // ...so a whole budget of failures is still there afterwards, and then no more.
    const guesses = await simultaneously(
      addresses(BUDGET + 5, "10.23").map((ip) => attempt(ctx, { email: owner.email }, WRONG, ip)),
    );
    expect(guesses.statuses).toEqual({ 401: BUDGET, 429: 5 });
    expect(counter.checks).toBe(2 * BUDGET);
  });

  test("the right password alongside a few wrong ones: every attempt is checked", async () => {
    const ctx = await createTestContext(SHIPPED);
    const owner = await createUser(ctx);
    const counter = countPasswordChecks(ctx);
    const { responses } = await simultaneously([
      ...addresses(BUDGET - 2, "10.24").map((ip) =>
        attempt(ctx, { email: owner.email }, WRONG, ip),
      ),
      attempt(ctx, { username: owner.username }, owner.password, "10.24.9.9"),
    ]);
    expect(responses.map((response) => response.status)).toEqual([
      ...Array<number>(BUDGET - 2).fill(401),
      200,
    ]);
    expect(counter.checks).toBe(BUDGET - 1);
    // Two failures are left: the success gave its reservation back.
    const more = await simultaneously(
      addresses(4, "10.25").map((ip) => attempt(ctx, { email: owner.email }, WRONG, ip)),
    );
    expect(more.statuses).toEqual({ 401: 2, 429: 2 });
  });

  test("answers that are not guesses give their reservation back: 422, 503, 403", async () => {
    const ctx = await createTestContext(SHIPPED);
    const owner = await createUser(ctx);
    const inactive = await createUser(ctx);
    await setRole(ctx, inactive, "user", false);
    // Both names at once is refused by the route after the budget was reserved.
    for (const ip of addresses(BUDGET + 2, "10.26")) {
      const both = { email: owner.email, username: owner.username, password: WRONG };
      const response = await ctx.request("/api/v1/auth/login", {
        body: both,
        headers: { "x-forwarded-for": ip },
      });
      expect(response.status).toBe(422);
    }
    // A full hash queue refuses with 503 before any check.
    const real = ctx.deps.passwords;
    ctx.deps.passwords = createPasswordHasher(TEST_PASSWORD_COST, 1, 0);
    const busy = await simultaneously(
      addresses(BUDGET + 2, "10.27").map((ip) => attempt(ctx, { email: owner.email }, WRONG, ip)),
    );
    expect(busy.statuses[503]).toBeGreaterThan(0);
    const busyFailures = busy.statuses[401] ?? 0;
    ctx.deps.passwords = real;
    // A deactivated account's right password is no guess either.
    for (const ip of addresses(BUDGET + 2, "10.28")) {
      expect((await attempt(ctx, { email: inactive.email }, inactive.password, ip)).status).toBe(
        403,
      );
    }
    const counter = countPasswordChecks(ctx);
    const guesses = await simultaneously(
      addresses(BUDGET, "10.29").map((ip) => attempt(ctx, { email: owner.email }, WRONG, ip)),
    );
    expect(guesses.statuses).toEqual({ 401: BUDGET - busyFailures, 429: busyFailures });
    expect(counter.checks).toBe(BUDGET - busyFailures);
    const deactivated = await simultaneously(
      addresses(BUDGET, "10.30").map((ip) => attempt(ctx, { email: inactive.email }, WRONG, ip)),
    );
    expect(deactivated.statuses).toEqual({ 401: BUDGET });
  });
});

import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { FAILURE_WINDOW_MS } from "../../src/modules/auth/address-bans";
import { ACCOUNT_FAILURE_WINDOW_MS } from "../../src/modules/auth/throttle";
import { authFailures, bans } from "../../src/platform/db/tables";
import {
  createPasswordHasher,
  type PasswordHasher,
  TEST_PASSWORD_COST,
} from "../../src/platform/passwords";
import { setRole } from "../support/accounts";
import { buildRequest, createTestContext, type TestContext } from "../support/app";
import { createUser, expectProblem } from "../support/factories";
import { observable } from "./helpers";

// Limits as shipped (AUTH_RATE_LIMIT_MAX 10, so an account budget of 10; bans at 50), with each
// request's address forwarded so that every guess can come from an address of its own.
const SHIPPED = { RATE_LIMIT_MAX: "0", TRUST_PROXY: "true" };
const BUDGET = 10;
const WRONG = "Wrong-password-1";

/** Counts every password verification that reaches the hasher, real or dummy. */
function countPasswordChecks(ctx: TestContext): { checks: number } {
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

type Identifier = { email: string } | { username: string };

function attempt(ctx: TestContext, who: Identifier, password: string, ip: string) {
  return ctx.request("/api/v1/auth/login", {
    body: { ...who, password },
    headers: { "x-forwarded-for": ip },
  });
}

/** Fires every attempt at once and tallies the answers by status. */
async function simultaneously(attempts: Promise<Response>[]) {
  const responses = await Promise.all(attempts);
  const statuses: Record<number, number> = {};
  for (const response of responses)
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  return { responses, statuses };
}

const addresses = (count: number, prefix = "10.20") =>
  Array.from({ length: count }, (_, i) => `${prefix}.${Math.floor(i / 250)}.${(i % 250) + 1}`);

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
    setRole(ctx, inactive, "user", false);
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

describe("the address ban holds under concurrency", () => {
  // Wide enough per-address and per-account limits that only the ban threshold stops anything.
  const env = { ...SHIPPED, AUTH_RATE_LIMIT_MAX: "500", AUTH_BAN_THRESHOLD: "50" };

  for (const guesses of [50, 100]) {
    test(`${guesses} simultaneous failures from one address: exactly 50 checks, then a ban`, async () => {
      const ctx = await createTestContext(env);
      const user = await createUser(ctx);
      const counter = countPasswordChecks(ctx);
      const { responses, statuses } = await simultaneously(
        Array.from({ length: guesses }, (_, i) =>
          attempt(ctx, { email: `guess${i}@example.com` }, WRONG, "10.40.0.1"),
        ),
      );
      expect(counter.checks).toBe(50);
      expect(statuses[401]).toBe(50);
      if (guesses > 50) {
        expect(statuses[429]).toBe(guesses - 50);
        const held = responses.find((response) => response.status === 429) ?? new Response();
        const body = await expectProblem(held, 429, "too_many_requests");
        expect(body.detail).toBe(
          "Too many attempts from your address in progress; try again shortly",
        );
        expect(held.headers.get("retry-after")).toBe("1");
      }
      expect(ctx.deps.db.select({ ip: bans.ip }).from(bans).all()).toEqual([{ ip: "10.40.0.1" }]);
      expect(ctx.deps.db.select().from(authFailures).all()).toEqual([]);
      const banned = await attempt(ctx, { email: user.email }, user.password, "10.40.0.1");
      await expectProblem(banned, 403, "forbidden_access");
      expect(counter.checks).toBe(50);
    });
  }

  test("successes hold a place only while they run, and failures stop at the threshold", async () => {
    const ctx = await createTestContext({ ...env, AUTH_BAN_THRESHOLD: "5" });
    const user = await createUser(ctx);
    const signIn = () => attempt(ctx, { email: user.email }, user.password, "10.41.0.1");
    const fail = (i: number) =>
      attempt(ctx, { email: `nobody${i}@example.com` }, WRONG, "10.41.0.1");
    // In flight, sign-ins hold places too: five at once fill the threshold, the sixth waits.
    const signIns = await simultaneously(Array.from({ length: 6 }, signIn));
    expect(signIns.statuses).toEqual({ 200: 5, 429: 1 });
    // Done, they hold nothing: four failures do not ban...
    const four = await simultaneously([0, 1, 2, 3].map(fail));
    expect(four.statuses).toEqual({ 401: 4 });
    expect(ctx.deps.db.select().from(bans).all()).toEqual([]);
    // ...and of three more at once, one reaches the check, bans, and the others never do.
    const counter = countPasswordChecks(ctx);
    const last = await simultaneously([4, 5, 6].map(fail));
    expect(last.statuses).toEqual({ 401: 1, 429: 2 });
    expect(counter.checks).toBe(1);
    await expectProblem(await signIn(), 403, "forbidden_access");
  });

  test("an attempt the ban threshold holds off gives back its place in the account's budget", async () => {
    const ctx = await createTestContext({ ...SHIPPED, AUTH_BAN_THRESHOLD: "2" });
    const victim = await createUser(ctx);
    const fromOne = await simultaneously(
      [1, 2, 3].map(() => attempt(ctx, { email: victim.email }, WRONG, "10.44.0.1")),
    );
    expect(fromOne.statuses).toEqual({ 401: 2, 429: 1 });
    // Two failures of the budget's ten are spent, not three: eight more are checked.
    const counter = countPasswordChecks(ctx);
    const elsewhere = await simultaneously(
      addresses(9, "10.45").map((ip) => attempt(ctx, { email: victim.email }, WRONG, ip)),
    );
    expect(elsewhere.statuses).toEqual({ 401: BUDGET - 2, 429: 1 });
    expect(counter.checks).toBe(BUDGET - 2);
  });

  test("a threshold lowered below an address's failures holds it off until they age out", async () => {
    const ctx = await createTestContext({ ...env, AUTH_BAN_THRESHOLD: "5" });
    const user = await createUser(ctx);
    for (let i = 0; i < 3; i += 1) {
      expect((await attempt(ctx, { email: `n${i}@example.com` }, WRONG, "10.43.0.1")).status).toBe(
        401,
      );
    }
    // Restarted with a threshold of 2: the address already has more failures than that.
    const restarted = createApp({
      ...ctx.deps,
      config: { ...ctx.deps.config, authBanThreshold: 2 },
    });
    const signIn = () =>
      restarted.handle(
        buildRequest("/api/v1/auth/login", {
          body: { email: user.email, password: user.password },
          headers: { "x-forwarded-for": "10.43.0.1" },
        }),
      );
    const held = await signIn();
    expect((await expectProblem(held, 429, "too_many_requests")).detail).toBe(
      "Too many failed attempts from your address; try again later",
    );
    expect(held.headers.get("retry-after")).toBe(String(FAILURE_WINDOW_MS / 1000));
    ctx.clock.advance(FAILURE_WINDOW_MS);
    expect((await signIn()).status).toBe(200);
  });

  test("malformed JSON is not a guess and never counts towards a ban", async () => {
    const ctx = await createTestContext({ ...env, AUTH_BAN_THRESHOLD: "2" });
    const user = await createUser(ctx);
    for (let i = 0; i < 5; i += 1) {
      const response = await ctx.request("/api/v1/auth/login", {
        body: "{oops",
        headers: { "x-forwarded-for": "10.42.0.1" },
      });
      expect(response.status).toBe(400);
    }
    expect(ctx.deps.db.select().from(authFailures).all()).toEqual([]);
    expect((await attempt(ctx, { email: user.email }, user.password, "10.42.0.1")).status).toBe(
      200,
    );
  });
});

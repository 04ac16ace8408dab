import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { FAILURE_WINDOW_MS } from "../../src/modules/auth/address-bans";
import { authFailures, bans } from "../../src/platform/db/tables";
import { buildRequest, createTestContext, type TestContext } from "../support/app";
import { createUser, expectProblem } from "../support/factories";
import { dbOf } from "../support/orm";
import {
  addresses,
  attempt,
  BUDGET,
  countPasswordChecks,
  SHIPPED,
  simultaneously,
  WRONG,
} from "./guessing";

/**
 * Holds every password check until `answers` of the tracked requests have been answered (or 2 s
 * have passed, so a check too many shows as a wrong count rather than a hang): the attempts that
 * reach a check are then all in flight together, however long the database takes before one.
 */
function holdChecksUntilAnswered(ctx: TestContext, answers: number) {
  const { promise, resolve } = Promise.withResolvers<void>();
  const real = ctx.deps.passwords;
  ctx.deps.passwords = {
    ...real,
    verify: async (password, hash) => {
      await Promise.race([promise, Bun.sleep(2000)]);
      return await real.verify(password, hash);
    },
    verifyAgainstDummy: async (password) => {
      await Promise.race([promise, Bun.sleep(2000)]);
      return await real.verifyAgainstDummy(password);
    },
  };
  let answered = 0;
  return {
    track: (requests: Promise<Response>[]) =>
      requests.map((request) =>
        request.then((response) => {
          answered += 1;
          if (answered === answers) resolve();
          return response;
        }),
      ),
  };
}

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
      expect(await dbOf(ctx.deps).select({ ip: bans.ip }).from(bans).all()).toEqual([
        { ip: "10.40.0.1" },
      ]);
      expect(await dbOf(ctx.deps).select().from(authFailures).all()).toEqual([]);
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
    const sixthAnswered = holdChecksUntilAnswered(ctx, 1);
    const signIns = await simultaneously(sixthAnswered.track(Array.from({ length: 6 }, signIn)));
    expect(signIns.statuses).toEqual({ 200: 5, 429: 1 });
    // Done, they hold nothing: four failures do not ban...
    const four = await simultaneously([0, 1, 2, 3].map(fail));
    expect(four.statuses).toEqual({ 401: 4 });
    expect(await dbOf(ctx.deps).select().from(bans).all()).toEqual([]);
    // ...and of three more at once, one reaches the check, bans, and the others never do (one
    // arriving after the ban would be a 403: the check waits for the other two answers).
    const counter = countPasswordChecks(ctx);
    const othersAnswered = holdChecksUntilAnswered(ctx, 2);
    const last = await simultaneously(othersAnswered.track([4, 5, 6].map(fail)));
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
    expect(await dbOf(ctx.deps).select().from(authFailures).all()).toEqual([]);
    expect((await attempt(ctx, { email: user.email }, user.password, "10.42.0.1")).status).toBe(
      200,
    );
  });
});

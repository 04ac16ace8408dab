import { describe, expect, spyOn, test } from "bun:test";
import {
  createPasswordHasher,
  DEFAULT_MAX_CONCURRENT_HASHES,
  HasherBusy,
  TEST_PASSWORD_COST,
} from "../../src/platform/passwords";
import { createTestContext, UNTHROTTLED_ENV } from "../support/app";
import { createUser, expectProblem } from "../support/factories";

describe("the password hash queue", () => {
  test("never hashes on every core at once, and at most two at a time", () => {
    const cores = navigator.hardwareConcurrency || 1;
    expect(DEFAULT_MAX_CONCURRENT_HASHES).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_MAX_CONCURRENT_HASHES).toBeLessThanOrEqual(Math.max(1, Math.min(2, cores - 1)));
  });

  test("runs in order within its bound and refuses what does not fit in the queue", async () => {
    const hasher = createPasswordHasher(TEST_PASSWORD_COST, 1, 2);
    const settled = await Promise.allSettled(["a", "b", "c", "d"].map((pw) => hasher.hash(pw)));
    expect(settled.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
    ]);
    const refused = settled[3] as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(HasherBusy);
    expect(refused.reason.status).toBe(503);
    expect(refused.reason.headers).toEqual({ "retry-after": "1" });
    // Once the queue drains, work is accepted again.
    const first = settled[0] as PromiseFulfilledResult<string>;
    expect(await hasher.verify("a", first.value)).toBe(true);
    expect(await hasher.verify("b", first.value)).toBe(false);
  });

  test("a refused dummy hash is made again later, not remembered as a failure", async () => {
    const hasher = createPasswordHasher(TEST_PASSWORD_COST, 1, 0);
    const busy = hasher.hash("occupies the only slot");
    await expect(hasher.verifyAgainstDummy("pw")).rejects.toBeInstanceOf(HasherBusy);
    await busy;
    expect(await hasher.verifyAgainstDummy("pw")).toBe(false);
  });

  test("a login that finds the queue full gets 503 problem+json with Retry-After", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const hasher = createPasswordHasher(TEST_PASSWORD_COST, 1, 0);
    ctx.deps.passwords = hasher;
    const attempt = () =>
      ctx.request("/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    // Another sign-in's hash holds the only slot until this login has been answered, however
    // long the database takes before its check.
    const answered = Promise.withResolvers<void>();
    const held = spyOn(Bun.password, "hash").mockImplementationOnce(async () => {
      await answered.promise;
      return "another sign-in's hash";
    });
    const busy = hasher.hash("another sign-in in progress");
    const refused = await attempt();
    answered.resolve();
    await busy;
    held.mockRestore();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    const body = await expectProblem(refused, 503, "service_unavailable");
    expect(body.detail).toBe("Too many sign-ins in progress; try again shortly");
    expect((await attempt()).status).toBe(200);
  });
});

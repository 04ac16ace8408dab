import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  type BudgetRefusal,
  counterLedger,
  createSharedFailureBudget,
  isBudgetRefusal,
  type SharedReservation,
} from "../../src/platform/shared/failure-budget";
import type { CountersBackend } from "./window-counters-contract";

/**
 * Failure budgets on two instances sharing one counters backend must hold exactly as one
 * instance's do (decision 006): never more places than the budget, at any concurrency.
 */
export function describeSharedFailureBudgetContract(
  name: string,
  open: () => Promise<CountersBackend>,
): void {
  describe(`${name}: shared failure budget`, () => {
    let backend: CountersBackend;
    beforeEach(async () => {
      backend = await open();
    });
    afterEach(async () => {
      await backend.close();
    });

    /** The same budget as two instances would build it, one on each store. */
    const budgets = (limit: number) =>
      [backend.a, backend.b].map((counters) =>
        createSharedFailureBudget({
          limit,
          counters,
          ledger: counterLedger(counters, backend.windowMs, "account-failures:"),
          clock: { now: backend.now },
          holdPrefix: "account-held:",
          leaseMs: backend.windowMs,
        }),
      ) as [
        ReturnType<typeof createSharedFailureBudget>,
        ReturnType<typeof createSharedFailureBudget>,
      ];

    const placeOf = (result: SharedReservation | BudgetRefusal) => {
      if (isBudgetRefusal(result)) throw new Error("expected a place");
      return result;
    };

    test("40 attempts at once through two instances: exactly the budget's 10 get a place", async () => {
      const [a, b] = budgets(10);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve("user:7")),
      );
      const places = results.flatMap((result) => (isBudgetRefusal(result) ? [] : [result]));
      const refusals = results.filter(isBudgetRefusal);
      expect(places).toHaveLength(10);
      expect(refusals).toEqual(
        Array.from({ length: 30 }, () => ({ retryAfterSeconds: 1, inProgress: true })),
      );
      // All ten fail: the budget is spent, for either instance, until the window ends.
      await Promise.all(places.map((place) => place.settle(true)));
      const spent = await b.reserve("user:7");
      expect(spent).toMatchObject({ inProgress: false });
      expect((spent as BudgetRefusal).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // Another account is untouched.
      await placeOf(await a.reserve("user:8")).settle(false);
    });

    test("failures through both instances spend one budget, which returns when the window ends", async () => {
      const [a, b] = budgets(3);
      for (const budget of [a, b, a]) await placeOf(await budget.reserve("name:eve")).settle(true);
      const refused = await b.reserve("name:eve");
      expect(refused).toMatchObject({ inProgress: false });
      expect((refused as BudgetRefusal).retryAfterSeconds).toBe(Math.ceil(backend.windowMs / 1000));
      await backend.elapse(backend.windowMs * 1.2);
      await placeOf(await b.reserve("name:eve")).settle(false);
    });

    test("a place handed back is free again, and only the first settle counts", async () => {
      const [a, b] = budgets(1);
      const place = placeOf(await a.reserve("user:1"));
      expect(await b.reserve("user:1")).toEqual({ retryAfterSeconds: 1, inProgress: true });
      await place.settle(false);
      await place.settle(true);
      const next = placeOf(await b.reserve("user:1"));
      await next.settle(false);
      expect(await backend.a.peek("account-failures:user:1", backend.now())).toBeNull();
      expect((await backend.b.peek("account-held:user:1", backend.now()))?.count).toBe(0);
    });

    test("a place its instance never settles is given up when the lease runs out", async () => {
      const [a, b] = budgets(1);
      placeOf(await a.reserve("user:2"));
      expect(await b.reserve("user:2")).toMatchObject({ inProgress: true });
      await backend.elapse(backend.windowMs * 1.2);
      await placeOf(await b.reserve("user:2")).settle(false);
    });
  });
}

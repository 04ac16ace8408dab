import { expect, test } from "bun:test";
import { idleCheck } from "../src/platform/idle-collector";

test("collects once when requests stop after a burst; not while busy, not while idle", () => {
  let answered = 0;
  let collections = 0;
  const check = idleCheck(
    () => answered,
    () => {
      collections += 1;
    },
  );
  const look = (served: number) => {
    answered += served;
    check();
    return collections;
  };
  expect([look(0), look(0)]).toEqual([0, 0]); // idle from the start: nothing to collect
  expect([look(5), look(7), look(1)]).toEqual([0, 0, 0]); // busy
  expect(look(0)).toBe(1); // quiet after serving: one collection
  expect([look(0), look(0)]).toEqual([1, 1]); // and no more while it stays quiet
  expect([look(3), look(0)]).toEqual([1, 2]); // the next burst is collected after it too
});

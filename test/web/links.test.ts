import { expect, test } from "bun:test";
import { linkedId } from "../../src/web/lib/links";

test("a link's ?card= or ?task= names an item only when it is a whole positive id", () => {
  expect(linkedId("?card=12", "card")).toBe(12);
  expect(linkedId("?x=1&task=7", "task")).toBe(7);
  for (const search of [
    "",
    "?card=",
    "?card=0",
    "?card=-3",
    "?card=1.5",
    "?card=12abc",
    "?card=1e3",
  ]) {
    expect({ search, id: linkedId(search, "card") }).toEqual({ search, id: null });
  }
  expect(linkedId("?task=12", "card")).toBeNull();
});

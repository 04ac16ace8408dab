/**
 * Dragging by touch on a phone-sized screen: a long press lifts a card, the board scrolls when
 * the finger nears its edge, and the release saves the move; a plain swipe only scrolls. The
 * touches go through Chromium's own input pipeline (the DevTools protocol), so the browser
 * decides, as on a phone, whether a finger scrolls or reaches the page's handlers.
 * Run with `bun run test:browser`.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import {
  apiToken,
  type BrowserServer,
  launchChromium,
  REPO_ROOT,
  signInByUi,
  signUpByApi,
  startAppServer,
  watchErrors,
} from "./support";

const SHOTS = join(REPO_ROOT, process.env.SCREENSHOTS ?? "dist/screenshots");
const user = `thumb_${Date.now().toString(36)}`;

let app: BrowserServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let token = "";
let boardId = 0;
const listIds: Record<string, number> = {};
let errors: string[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${app.baseUrl}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return (await response.json()) as T;
}

/** Which list the server says each card is in, by title. */
async function serverPlaces(): Promise<Record<string, string>> {
  const board = await api<{ lists: { name: string; cards: { title: string }[] }[] }>(
    "GET",
    `/boards/${boardId}`,
  );
  return Object.fromEntries(
    board.lists.flatMap((list) => list.cards.map((card) => [card.title, list.name])),
  );
}

/** Whether a finger is down: a failed test lifts it so the next one starts clean. */
let fingerDown = false;
async function touch(type: "touchStart" | "touchMove" | "touchEnd", x = 0, y = 0) {
  fingerDown = type !== "touchEnd";
  await cdp.send("Input.dispatchTouchEvent", {
    type,
    touchPoints: type === "touchEnd" ? [] : [{ x: Math.round(x), y: Math.round(y) }],
  });
}

/** A finger sliding from one point to another in small steps, as a real one reports it. */
async function slide(from: [number, number], to: [number, number], steps: number, ms: number) {
  for (let step = 1; step <= steps; step++) {
    const f = step / steps;
    await touch("touchMove", from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f);
    await Bun.sleep(ms / steps);
  }
}

/** Waits until `read` gives a value `accept` takes, and returns it (the last one on timeout). */
async function settle<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await Bun.sleep(50);
    value = await read();
  }
  return value;
}

async function centre(selector: string): Promise<[number, number]> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  return [box.x + box.width / 2, box.y + box.height / 2];
}

const scrollLeft = () =>
  page
    .locator(".board-scroller")
    .evaluate((element) => (element as { scrollLeft: number }).scrollLeft);
const liveRegion = () => page.locator("[aria-live=assertive]").textContent();
const cardSelector = (title: string) => `li.card-item:has(> button.card:text-is("${title}"))`;

beforeAll(async () => {
  app = await startAppServer();
  browser = await launchChromium();
  await signUpByApi(app.baseUrl, user);
  token = await apiToken(app.baseUrl, user);
  boardId = (await api<{ id: number }>("POST", "/boards", { name: "Pocket board" })).id;
  for (const name of ["To do", "Doing", "Done", "Later"]) {
    listIds[name] = (await api<{ id: number }>("POST", `/boards/${boardId}/lists`, { name })).id;
  }
  for (const title of ["Carry me", "Stay put"]) {
    await api("POST", "/tasks", { title, list_id: listIds["To do"] });
  }
  context = await browser.newContext({
    hasTouch: true,
    isMobile: true,
    viewport: { width: 360, height: 740 },
  });
  context.setDefaultTimeout(8000);
  page = await context.newPage();
  errors = watchErrors(page);
  cdp = await context.newCDPSession(page);
  await signInByUi(page, app.baseUrl, user);
  await page.goto(`${app.baseUrl}/boards/${boardId}`);
  await page.locator(cardSelector("Carry me")).waitFor();
}, 30_000);

afterEach(async () => {
  if (fingerDown) await touch("touchEnd");
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test("the drag controls are at least 24 px square on a 360 px screen", async () => {
  const sizes = await page
    .locator("li.card-item, .card-move, .list-grip, .list-tools button")
    .evaluateAll((elements) =>
      elements.map((element) => {
        const box = (
          element as { getBoundingClientRect(): { width: number; height: number } }
        ).getBoundingClientRect();
        return Math.min(box.width, box.height);
      }),
    );
  expect(sizes.length).toBeGreaterThan(8);
  for (const size of sizes) expect(size).toBeGreaterThanOrEqual(24);
});

test("a plain swipe across a card scrolls the board and moves nothing", async () => {
  const before = await scrollLeft();
  const [x, y] = await centre(cardSelector("Stay put"));
  await touch("touchStart", x, y);
  await slide([x, y], [x - 220, y], 10, 120);
  await touch("touchEnd");
  expect(await settle(scrollLeft, (left) => left > before + 50)).toBeGreaterThan(before + 50);
  await Bun.sleep(500);
  expect(await page.locator(".touch-lifted").count()).toBe(0);
  expect(await serverPlaces()).toEqual({ "Carry me": "To do", "Stay put": "To do" });
  expect(await page.locator("section.column").first().locator("li.card-item").count()).toBe(2);
  // Back to the start for the drag below.
  await page.locator(".board-scroller").evaluate((element) => {
    (element as { scrollLeft: number }).scrollLeft = 0;
  });
}, 20_000);

test("a long press lifts a card, the board scrolls at the edge, and the release moves it", async () => {
  const [x, y] = await centre(cardSelector("Carry me"));
  await touch("touchStart", x, y);
  await Bun.sleep(600);
  await page.locator(`${cardSelector("Carry me")}.touch-lifted`).waitFor();
  expect(await liveRegion()).toContain("Lifted Carry me, in To do, 1 of 2");
  // Held at the right edge, the board scrolls on its own until the finger moves back.
  await slide([x, y], [350, y + 20], 8, 160);
  await page.screenshot({ path: join(SHOTS, "board-touch-lifted-mobile-light.png") });
  expect(await settle(scrollLeft, (left) => left > 120)).toBeGreaterThan(120);
  // Away from the edge the scrolling stops; then onto the part of "Doing" still in view.
  await slide([350, y + 20], [180, y + 20], 2, 20);
  const doing = await page
    .locator(`section.column[data-id="${listIds.Doing}"] ol.cards`)
    .boundingBox();
  if (!doing) throw new Error("the list Doing is not on screen");
  const doingX = Math.min(Math.max(doing.x + doing.width / 2, 60), 300);
  const doingY = doing.y + doing.height / 2;
  await slide([180, y + 20], [doingX, doingY], 6, 120);
  const stopped = await scrollLeft();
  await Bun.sleep(150);
  expect(await scrollLeft()).toBe(stopped);
  expect(await liveRegion()).toContain("Carry me, in Doing, 1 of 1");
  expect(
    await page.locator(`section.column[data-id="${listIds.Doing}"] ol.cards.drop-target`).count(),
  ).toBe(1);
  await touch("touchEnd");

  await page
    .locator(`section.column[data-id="${listIds.Doing}"] ${cardSelector("Carry me")}`)
    .waitFor();
  expect(await liveRegion()).toContain("Carry me moved to Doing, position 1 of 1.");
  expect(await page.locator(".touch-lifted").count()).toBe(0);
  expect(await settle(serverPlaces, (places) => places["Carry me"] === "Doing")).toEqual({
    "Carry me": "Doing",
    "Stay put": "To do",
  });
  // The release was a drop, not a tap: the card's panel did not open.
  expect(await page.getByRole("dialog").count()).toBe(0);
  expect(errors).toEqual([]);
}, 20_000);

test("a long press on a list's grip lifts the list and the release moves it", async () => {
  await page.locator(".board-scroller").evaluate((element) => {
    (element as { scrollLeft: number }).scrollLeft = 0;
  });
  const [x, y] = await centre(`section.column[data-id="${listIds["To do"]}"] .list-grip`);
  await touch("touchStart", x, y);
  await Bun.sleep(600);
  await page.locator(`section.column[data-id="${listIds["To do"]}"].touch-lifted`).waitFor();
  expect(await liveRegion()).toContain("Lifted List To do, 1 of 4");
  await slide([x, y], [350, y], 8, 160);
  expect(await settle(scrollLeft, (left) => left > 200)).toBeGreaterThan(200);
  await touch("touchEnd");
  const listOrder = async () =>
    (await api<{ lists: { name: string }[] }>("GET", `/boards/${boardId}`)).lists.map(
      (list) => list.name,
    );
  expect((await settle(listOrder, (names) => names[0] !== "To do"))[0]).not.toBe("To do");
  expect(await page.locator(".touch-lifted").count()).toBe(0);
  expect(errors).toEqual([]);
}, 20_000);

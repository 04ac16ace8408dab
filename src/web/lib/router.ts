import { signal } from "@preact/signals";

/** The app's routes, matched on the path alone; the server serves index.html for each. */
export type Route =
  | { name: "signin" }
  | { name: "signup" }
  | { name: "forgot" }
  | { name: "tasks" }
  | { name: "boards" }
  | { name: "board"; id: number }
  | { name: "account" }
  | { name: "admin" }
  | { name: "missing" };

export function matchRoute(path: string): Route {
  const board = /^\/boards\/(\d+)$/.exec(path);
  if (board) return { name: "board", id: Number(board[1]) };
  switch (path) {
    case "/":
    case "/tasks":
      return { name: "tasks" };
    case "/signin":
      return { name: "signin" };
    case "/signup":
      return { name: "signup" };
    case "/forgot-password":
      return { name: "forgot" };
    case "/boards":
      return { name: "boards" };
    case "/account":
      return { name: "account" };
    case "/admin":
      return { name: "admin" };
    default:
      return { name: "missing" };
  }
}

export const currentPath = signal(typeof location === "undefined" ? "/" : location.pathname);
/** The query string: `?card=12` on a board and `?task=7` on My tasks open that item. */
export const currentSearch = signal(typeof location === "undefined" ? "" : location.search);

export function navigate(to: string, replace = false): void {
  const target = new URL(to, location.href);
  if (target.pathname === location.pathname && target.search === location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  currentPath.value = location.pathname;
  currentSearch.value = location.search;
}

/** The item a link opened was closed: the address drops its query, with no new history entry. */
export function clearLink(): void {
  if (!location.search) return;
  history.replaceState(null, "", location.pathname);
  currentSearch.value = "";
}

/** Same-origin link clicks move within the app instead of loading the page again. */
export function startRouter(): void {
  addEventListener("popstate", () => {
    currentPath.value = location.pathname;
    currentSearch.value = location.search;
  });
  document.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest?.("a");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.origin !== location.origin || link.hasAttribute("download")) return;
    if (link.pathname.startsWith("/api/") || link.pathname.startsWith("/docs")) return;
    // A link within this page ("Skip to content", #main) is the browser's to follow.
    if (link.hash && link.pathname === location.pathname) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}

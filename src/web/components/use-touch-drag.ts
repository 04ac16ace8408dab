import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { BoardColumn } from "../api/types";
import { describeListPlace, describePlace, moveCard, moveList } from "../lib/board-model";

/** Long enough that a swipe is never taken for a press; short enough not to feel stuck. */
const LONG_PRESS_MS = 400;
/** A finger that strays further than this before the press fires is scrolling, not lifting. */
const SLOP_PX = 8;
/** How near the board's side edge the finger must be for the board to scroll, and how fast. */
const EDGE_PX = 40;
const SCROLL_STEP_PX = 12;

export type Dragged = { kind: "card" | "list"; id: number };
export type CardDrop = { listId: number; index: number };

interface Options {
  lists: BoardColumn[];
  onMoveCard: (id: number, listId: number, position: number) => void;
  onMoveList: (id: number, position: number) => void;
  announce: (text: string) => void;
  showCardDrop: (drop: CardDrop | null) => void;
  showListDrop: (index: number | null) => void;
}

/** Where a drop lands: the number of other items before the pointer. */
export function dropIndex(
  items: Element[],
  pointer: number,
  axis: "x" | "y",
  skip: number | null,
): number {
  let index = 0;
  for (const item of items) {
    if (Number((item as HTMLElement).dataset.id) === skip) continue;
    const box = item.getBoundingClientRect();
    const middle = axis === "y" ? box.top + box.height / 2 : box.left + box.width / 2;
    if (pointer > middle) index += 1;
  }
  return index;
}

/**
 * Dragging by touch, where native drag and drop does not start: a long press lifts a card (or a
 * list by its grip), the card follows the finger, the board scrolls when the finger nears its
 * side edge, and lifting the finger drops it through the same move as the mouse. Until the
 * press fires the page scrolls as usual; a finger that moves first never lifts anything.
 */
export function useTouchDrag(board: RefObject<HTMLElement | null>, options: Options) {
  const latest = useRef(options);
  latest.current = options;
  const [lifted, setLifted] = useState<Dragged | null>(null);
  const gesture = useRef<{ lifted: boolean; stop: () => void } | null>(null);

  useEffect(() => {
    const element = board.current;
    if (!element) return;
    // Registered for good, not per gesture: the browser decides whether a touch may scroll at
    // its start, from the listeners present then. Only a lifted drag holds the page still.
    const holdStill = (event: Event) => {
      if (gesture.current?.lifted) event.preventDefault();
    };
    const noMenu = (event: Event) => {
      if (gesture.current) event.preventDefault();
    };
    element.addEventListener("touchmove", holdStill, { passive: false });
    element.addEventListener("contextmenu", noMenu);
    return () => {
      element.removeEventListener("touchmove", holdStill);
      element.removeEventListener("contextmenu", noMenu);
      gesture.current?.stop();
    };
  }, [board]);

  function start(event: PointerEvent, what: Dragged) {
    if (event.pointerType === "mouse" || !event.isPrimary) return;
    gesture.current?.stop();
    const source = event.currentTarget as HTMLElement;
    const item = (what.kind === "card" ? source : source.closest(".column")) as HTMLElement | null;
    const scroller = item?.closest<HTMLElement>(".board-scroller");
    if (!item || !scroller) return;
    const { pointerId, clientX: startX, clientY: startY } = event;
    const scrollStart = scroller.scrollLeft;
    let x = startX;
    let y = startY;
    let place = "";
    let cardDrop: CardDrop | null = null;
    let listDrop: number | null = null;
    let frame = 0;
    const state = { lifted: false, stop };
    gesture.current = state;
    const timer = setTimeout(lift, LONG_PRESS_MS);

    function lift() {
      state.lifted = true;
      setLifted(what);
      const { lists, announce } = latest.current;
      // Where it is now: announced once, as lifted, and again only when the drop place changes.
      place =
        what.kind === "card" ? describePlace(lists, what.id) : describeListPlace(lists, what.id);
      announce(`Lifted ${place}. Drag to carry it, lift your finger to drop it.`);
      follow();
      frame = requestAnimationFrame(scrollNearEdge);
    }

    function scrollNearEdge() {
      const box = scroller?.getBoundingClientRect();
      if (scroller && box) {
        const direction = x < box.left + EDGE_PX ? -1 : x > box.right - EDGE_PX ? 1 : 0;
        const before = scroller.scrollLeft;
        if (direction !== 0) scroller.scrollLeft += direction * SCROLL_STEP_PX;
        if (scroller.scrollLeft !== before) follow();
      }
      frame = requestAnimationFrame(scrollNearEdge);
    }

    /** Keeps the lifted item under the finger and shows (and announces) where it would land. */
    function follow() {
      if (!item || !scroller) return;
      const dx = x - startX + scroller.scrollLeft - scrollStart;
      item.style.transform = `translate(${dx}px, ${y - startY}px)`;
      const under = document.elementsFromPoint(x, y).find((element) => !item.contains(element));
      const column = under?.closest<HTMLElement>(".column");
      const { lists, showCardDrop, showListDrop, announce } = latest.current;
      let next = "";
      if (what.kind === "card") {
        const cards = column?.querySelector("ol.cards");
        const listId = Number(column?.dataset.id);
        cardDrop = null;
        if (cards && listId) {
          const items = [...cards.querySelectorAll(":scope > li.card-item")];
          cardDrop = { listId, index: dropIndex(items, y, "y", what.id) };
          next = describePlace(moveCard(lists, what.id, listId, cardDrop.index), what.id);
        }
        showCardDrop(cardDrop);
      } else {
        const columns = [...(board.current?.querySelectorAll(":scope > .column") ?? [])];
        listDrop = dropIndex(columns, x, "x", what.id);
        next = describeListPlace(moveList(lists, what.id, listDrop), what.id);
        showListDrop(listDrop);
      }
      if (next && next !== place) announce(next);
      place = next;
    }

    function onMove(moved: PointerEvent) {
      if (moved.pointerId !== pointerId) return;
      x = moved.clientX;
      y = moved.clientY;
      if (state.lifted) follow();
      else if (Math.hypot(x - startX, y - startY) > SLOP_PX) stop();
    }

    function onUp(up: PointerEvent) {
      if (up.pointerId !== pointerId) return;
      const wasLifted = state.lifted;
      const drop = { card: cardDrop, list: listDrop };
      stop();
      if (!wasLifted) return;
      // The release that ends a drag is not a tap on the card.
      const swallow = (click: Event) => {
        click.preventDefault();
        click.stopPropagation();
      };
      window.addEventListener("click", swallow, { capture: true, once: true });
      setTimeout(() => window.removeEventListener("click", swallow, { capture: true }), 500);
      const { onMoveCard, onMoveList } = latest.current;
      if (what.kind === "card" && drop.card) {
        onMoveCard(what.id, drop.card.listId, drop.card.index);
      } else if (what.kind === "list" && drop.list !== null) {
        onMoveList(what.id, drop.list);
      } else {
        announceCancel();
      }
    }

    function onCancel(cancel: PointerEvent) {
      if (cancel.pointerId !== pointerId) return;
      const wasLifted = state.lifted;
      stop();
      if (wasLifted) announceCancel();
    }

    function announceCancel() {
      const { lists, announce } = latest.current;
      const place =
        what.kind === "card" ? describePlace(lists, what.id) : describeListPlace(lists, what.id);
      announce(`Move cancelled. ${place}.`);
    }

    function stop() {
      clearTimeout(timer);
      cancelAnimationFrame(frame);
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("pointerup", onUp);
      window.removeEventListener("pointercancel", onCancel);
      if (gesture.current === state) gesture.current = null;
      if (!state.lifted) return;
      state.lifted = false;
      if (item) item.style.transform = "";
      setLifted(null);
      latest.current.showCardDrop(null);
      latest.current.showListDrop(null);
    }

    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("pointercancel", onCancel);
  }

  return {
    /** The item a finger is carrying, to draw it lifted. */
    lifted,
    /** Call from pointerdown on a card or a list grip: mouse presses are left to native drag. */
    start,
    /** True while a touch press or drag is under way (native drag must not start then). */
    busy: () => gesture.current !== null,
  };
}

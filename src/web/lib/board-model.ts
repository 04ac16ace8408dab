import type { BoardColumn, BoardDetail, BoardList, LiveEvent, Task } from "../api/types";

/**
 * The board as the server orders it: lists and cards carry dense 0-based positions, and putting
 * one at position p shifts the rest. These pure functions apply a change the same way, for
 * optimistic edits and for events that name only the card or list that moved.
 */
function renumber<T extends { position: number }>(items: T[]): T[] {
  return items.map((item, position) => (item.position === position ? item : { ...item, position }));
}

function clampIndex(index: number, length: number): number {
  return Math.max(0, Math.min(index, length));
}

export function removeCard(lists: BoardColumn[], cardId: number): BoardColumn[] {
  return lists.map((list) =>
    list.cards.some((card) => card.id === cardId)
      ? { ...list, cards: renumber(list.cards.filter((card) => card.id !== cardId)) }
      : list,
  );
}

/** Puts the card where its list_id and position say, taking it out of wherever it was. */
export function placeCard(lists: BoardColumn[], card: Task): BoardColumn[] {
  const without = removeCard(lists, card.id);
  return without.map((list) => {
    if (list.id !== card.list_id) return list;
    const cards = [...list.cards];
    cards.splice(clampIndex(card.position, cards.length), 0, card);
    return { ...list, cards: renumber(cards) };
  });
}

export function findCard(lists: BoardColumn[], cardId: number): Task | undefined {
  for (const list of lists) {
    const card = list.cards.find((candidate) => candidate.id === cardId);
    if (card) return card;
  }
  return undefined;
}

export function moveCard(
  lists: BoardColumn[],
  cardId: number,
  listId: number,
  position: number,
): BoardColumn[] {
  const card = findCard(lists, cardId);
  if (!card) return lists;
  return placeCard(lists, { ...card, list_id: listId, position });
}

export function placeList(lists: BoardColumn[], list: BoardList): BoardColumn[] {
  const existing = lists.find((candidate) => candidate.id === list.id);
  const others = lists.filter((candidate) => candidate.id !== list.id);
  const column: BoardColumn = { ...list, cards: existing?.cards ?? [] };
  others.splice(clampIndex(list.position, others.length), 0, column);
  return renumber(others);
}

export function removeList(lists: BoardColumn[], listId: number): BoardColumn[] {
  return renumber(lists.filter((list) => list.id !== listId));
}

export function moveList(lists: BoardColumn[], listId: number, position: number): BoardColumn[] {
  const list = lists.find((candidate) => candidate.id === listId);
  return list ? placeList(lists, { ...list, position }) : lists;
}

/**
 * A board after one event, or "refetch" when the event cannot be applied from its data alone
 * (members), or "gone" when the board was deleted. Events of other boards leave it unchanged.
 */
export function applyBoardEvent(
  board: BoardDetail,
  event: LiveEvent,
): BoardDetail | "refetch" | "gone" {
  if (event.board_id !== board.id) {
    // A card moved to another board arrives as task.deleted on this one (with this board_id).
    return board;
  }
  const data = event.data;
  switch (event.type) {
    case "task.created":
    case "task.updated":
      return { ...board, lists: placeCard(board.lists, data as unknown as Task) };
    case "task.deleted":
      return { ...board, lists: removeCard(board.lists, data.id) };
    case "list.created":
    case "list.updated":
      return { ...board, lists: placeList(board.lists, data as unknown as BoardList) };
    case "list.deleted":
      return { ...board, lists: removeList(board.lists, data.id) };
    case "board.updated": {
      const { role: _role, ...fields } = data as Record<string, unknown>;
      return { ...board, ...fields, role: board.role };
    }
    case "board.deleted":
      return "gone";
    case "member.added":
    case "member.updated":
    case "member.removed":
      return "refetch";
    default:
      return board;
  }
}

export type Direction = "up" | "down" | "left" | "right";

/**
 * Where a card goes one keyboard step away: up or down within its list, or to the same index
 * (or the end) of the neighbouring list. null at an edge.
 */
export function stepTarget(
  lists: BoardColumn[],
  cardId: number,
  direction: Direction,
): { listId: number; position: number } | null {
  const listIndex = lists.findIndex((list) => list.cards.some((card) => card.id === cardId));
  const list = lists[listIndex];
  const position = list?.cards.findIndex((card) => card.id === cardId) ?? -1;
  if (!list || position < 0) return null;
  if (direction === "up" || direction === "down") {
    const next = position + (direction === "up" ? -1 : 1);
    return next < 0 || next >= list.cards.length ? null : { listId: list.id, position: next };
  }
  const target = lists[listIndex + (direction === "left" ? -1 : 1)];
  return target ? { listId: target.id, position: Math.min(position, target.cards.length) } : null;
}

/** What a screen reader hears after a keyboard move: "Card, in Done, 2 of 5". */
export function describePlace(lists: BoardColumn[], cardId: number): string {
  for (const list of lists) {
    const index = list.cards.findIndex((card) => card.id === cardId);
    const card = list.cards[index];
    if (card) return `${card.title}, in ${list.name}, ${index + 1} of ${list.cards.length}`;
  }
  return "";
}

/** What a screen reader hears after a list moves: "List Done, 1 of 3". */
export function describeListPlace(lists: BoardColumn[], listId: number): string {
  const index = lists.findIndex((list) => list.id === listId);
  const list = lists[index];
  return list ? `List ${list.name}, ${index + 1} of ${lists.length}` : "";
}

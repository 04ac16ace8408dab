import { describe, expect, test } from "bun:test";
import type { BoardColumn, BoardDetail, LiveEvent, Task } from "../../src/web/api/types";
import {
  applyBoardEvent,
  describeListPlace,
  describePlace,
  findCard,
  moveCard,
  moveList,
  placeCard,
  placeList,
  removeCard,
  removeList,
  stepTarget,
} from "../../src/web/lib/board-model";

function card(id: number, listId: number, position: number): Task {
  return {
    id,
    title: `Card ${id}`,
    description: "",
    completed: false,
    completed_at: null,
    due_date: null,
    priority: 0,
    tags: [],
    position,
    board_id: 1,
    list_id: listId,
    assignee_id: null,
    owner_id: 1,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    version: 1,
  };
}

function lists(): BoardColumn[] {
  return [
    {
      id: 10,
      board_id: 1,
      name: "To do",
      position: 0,
      cards: [card(1, 10, 0), card(2, 10, 1), card(3, 10, 2)],
    },
    { id: 20, board_id: 1, name: "Done", position: 1, cards: [card(4, 20, 0)] },
  ];
}

const ids = (columns: BoardColumn[]) => columns.map((list) => list.cards.map((c) => c.id));
const positions = (columns: BoardColumn[]) =>
  columns.map((list) => list.cards.map((c) => c.position));

function board(): BoardDetail {
  return {
    id: 1,
    name: "Launch",
    description: "",
    owner_id: 1,
    role: "editor",
    created_at: "",
    updated_at: "",
    version: 1,
    lists: lists(),
    members: [],
  };
}

function event(type: string, data: Record<string, unknown>, boardId: number | null = 1): LiveEvent {
  return { type, seq: 1, at: "", board_id: boardId, data: data as LiveEvent["data"] };
}

describe("moving cards as the server does", () => {
  test("within a list, down and up, keeping positions dense", () => {
    expect(ids(moveCard(lists(), 1, 10, 2))).toEqual([[2, 3, 1], [4]]);
    expect(ids(moveCard(lists(), 3, 10, 0))).toEqual([[3, 1, 2], [4]]);
    expect(positions(moveCard(lists(), 3, 10, 0))).toEqual([[0, 1, 2], [0]]);
  });

  test("across lists, to the top, the middle and past the end (clamped)", () => {
    expect(ids(moveCard(lists(), 2, 20, 0))).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(ids(moveCard(lists(), 2, 20, 1))).toEqual([
      [1, 3],
      [4, 2],
    ]);
    const far = moveCard(lists(), 2, 20, 99);
    expect(ids(far)).toEqual([
      [1, 3],
      [4, 2],
    ]);
    expect(positions(far)).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(findCard(far, 2)?.list_id).toBe(20);
  });

  test("an unknown card changes nothing; an unknown list drops the card from view", () => {
    const before = lists();
    expect(moveCard(before, 99, 10, 0)).toBe(before);
    expect(ids(moveCard(lists(), 1, 99, 0))).toEqual([[2, 3], [4]]);
    expect(findCard(lists(), 99)).toBeUndefined();
  });

  test("removing and placing a new card", () => {
    expect(ids(removeCard(lists(), 2))).toEqual([[1, 3], [4]]);
    expect(ids(placeCard(lists(), card(5, 20, 0)))).toEqual([
      [1, 2, 3],
      [5, 4],
    ]);
  });
});

describe("moving lists", () => {
  test("reorders and renumbers; a new list keeps no cards, a renamed one keeps its cards", () => {
    expect(moveList(lists(), 20, 0).map((l) => l.id)).toEqual([20, 10]);
    expect(moveList(lists(), 20, 0).map((l) => l.position)).toEqual([0, 1]);
    const before = lists();
    expect(moveList(before, 99, 0)).toBe(before);
    const added = placeList(lists(), { id: 30, board_id: 1, name: "Later", position: 1 });
    expect(added.map((l) => l.id)).toEqual([10, 30, 20]);
    expect(added[1]?.cards).toEqual([]);
    const renamed = placeList(lists(), { id: 10, board_id: 1, name: "Backlog", position: 0 });
    expect(renamed[0]?.name).toBe("Backlog");
    expect(renamed[0]?.cards.length).toBe(3);
    expect(removeList(lists(), 10).map((l) => [l.id, l.position])).toEqual([[20, 0]]);
  });
});

describe("applying live events to a board", () => {
  test("task events place, move and remove cards", () => {
    const moved = applyBoardEvent(board(), event("task.updated", { ...card(1, 20, 1) }));
    expect(moved !== "refetch" && moved !== "gone" && ids(moved.lists)).toEqual([
      [2, 3],
      [4, 1],
    ]);
    const created = applyBoardEvent(board(), event("task.created", { ...card(9, 10, 0) }));
    expect(created !== "refetch" && created !== "gone" && ids(created.lists)).toEqual([
      [9, 1, 2, 3],
      [4],
    ]);
    const deleted = applyBoardEvent(board(), event("task.deleted", { id: 4 }));
    expect(deleted !== "refetch" && deleted !== "gone" && ids(deleted.lists)).toEqual([
      [1, 2, 3],
      [],
    ]);
  });

  test("list and board events; the caller's role is never taken from an event", () => {
    const listMoved = applyBoardEvent(
      board(),
      event("list.updated", { id: 20, board_id: 1, name: "Done", position: 0 }),
    );
    expect(
      listMoved !== "refetch" && listMoved !== "gone" && listMoved.lists.map((l) => l.id),
    ).toEqual([20, 10]);
    const listAdded = applyBoardEvent(
      board(),
      event("list.created", { id: 30, board_id: 1, name: "New", position: 2 }),
    );
    expect(listAdded !== "refetch" && listAdded !== "gone" && listAdded.lists.length).toBe(3);
    const listGone = applyBoardEvent(board(), event("list.deleted", { id: 10 }));
    expect(
      listGone !== "refetch" && listGone !== "gone" && listGone.lists.map((l) => l.id),
    ).toEqual([20]);
    const renamed = applyBoardEvent(
      board(),
      event("board.updated", { id: 1, name: "Renamed", role: "owner" }),
    );
    expect(renamed !== "refetch" && renamed !== "gone" && [renamed.name, renamed.role]).toEqual([
      "Renamed",
      "editor",
    ]);
    expect(applyBoardEvent(board(), event("board.deleted", { id: 1 }))).toBe("gone");
  });

  test("member changes ask for a refetch; other boards' and unknown events change nothing", () => {
    expect(applyBoardEvent(board(), event("member.added", { id: 2 }))).toBe("refetch");
    expect(applyBoardEvent(board(), event("member.updated", { id: 2 }))).toBe("refetch");
    expect(applyBoardEvent(board(), event("member.removed", { id: 2 }))).toBe("refetch");
    const current = board();
    expect(applyBoardEvent(current, event("task.deleted", { id: 1 }, 2))).toBe(current);
    expect(applyBoardEvent(current, event("task.deleted", { id: 1 }, null))).toBe(current);
    expect(applyBoardEvent(current, event("comment.created", { id: 7 }))).toBe(current);
  });
});

describe("keyboard steps", () => {
  test("up and down within a list, stopping at its ends", () => {
    expect(stepTarget(lists(), 2, "up")).toEqual({ listId: 10, position: 0 });
    expect(stepTarget(lists(), 2, "down")).toEqual({ listId: 10, position: 2 });
    expect(stepTarget(lists(), 1, "up")).toBeNull();
    expect(stepTarget(lists(), 3, "down")).toBeNull();
  });

  test("left and right to the same index of the neighbour, or its end; none past the edges", () => {
    expect(stepTarget(lists(), 1, "right")).toEqual({ listId: 20, position: 0 });
    expect(stepTarget(lists(), 3, "right")).toEqual({ listId: 20, position: 1 });
    expect(stepTarget(lists(), 4, "left")).toEqual({ listId: 10, position: 0 });
    expect(stepTarget(lists(), 1, "left")).toBeNull();
    expect(stepTarget(lists(), 4, "right")).toBeNull();
    expect(stepTarget(lists(), 99, "up")).toBeNull();
  });

  test("a place is described as a screen reader should hear it", () => {
    expect(describePlace(lists(), 2)).toBe("Card 2, in To do, 2 of 3");
    expect(describePlace(lists(), 99)).toBe("");
  });
});

describe("describeListPlace", () => {
  test("names the list and its place among the board's lists", () => {
    expect(describeListPlace(lists(), 20)).toBe("List Done, 2 of 2");
    expect(describeListPlace(moveList(lists(), 20, 0), 20)).toBe("List Done, 1 of 2");
  });
  test("is empty for a list the board does not hold", () => {
    expect(describeListPlace(lists(), 99)).toBe("");
  });
});

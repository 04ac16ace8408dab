import type { LoadSpec, LoadTarget } from "./load";
import type { ScenarioName } from "./results";
import type { SeededBoards } from "./seed-boards";
import { createRandom, SEARCH_WORDS, sentence, TAGS } from "./words";

export type Scenario = Pick<LoadSpec, "method" | "targets" | "connections"> & {
  /** The tokens this scenario sends, when they are not the personal users' (LoadSpec's). */
  tokensFile?: string;
};

/** The board users (seed-boards.ts) and the file of their tokens, in the same order. */
export interface BoardFixture {
  tokensFile: string;
  users: SeededBoards["users"];
}

/**
 * What each scenario sends; the same requests, in the same order, to every server.
 *
 * The load generators take the next token and the next target together, so in the board
 * scenarios target i goes with token i: each board user reads their own board, and moves their
 * own card to the other list (targets 0..n-1) and back (targets n..2n-1).
 */
export function scenarios(
  connections: number,
  boards: BoardFixture,
): Record<ScenarioName, Scenario> {
  const random = createRandom(7);
  const bodies: LoadTarget[] = Array.from({ length: 64 }, (_, i) => ({
    path: "/api/v1/tasks",
    body: JSON.stringify({
      title: sentence(random, 3, 7),
      description: `${sentence(random, 8, 30)}.`,
      priority: i % 5,
      tags: [TAGS[i % TAGS.length], TAGS[(i * 7 + 3) % TAGS.length]],
      due_date: i % 3 === 0 ? null : "2031-06-01T12:00:00Z",
    }),
  }));
  const searches = SEARCH_WORDS.map((word) => ({ path: `/api/v1/tasks?q=${word}` }));
  return {
    list: { method: "GET", targets: [{ path: "/api/v1/tasks?limit=20" }], connections },
    // Not in the default set: the platform's per-request cost without auth or a database.
    health: { method: "GET", targets: [{ path: "/health" }], connections },
    search: { method: "GET", targets: searches, connections },
    // Not in the default set: one query at a time, without queueing behind others.
    search1: { method: "GET", targets: searches, connections: 1 },
    create: { method: "POST", targets: bodies, connections },
    board: {
      method: "GET",
      targets: boards.users.map((user) => ({ path: `/api/v1/boards/${user.boardId}` })),
      tokensFile: boards.tokensFile,
      connections,
    },
    move: {
      method: "PATCH",
      targets: [
        ...boards.users.map((user) => move(user.cardId, user.toListId)),
        ...boards.users.map((user) => move(user.cardId, user.fromListId)),
      ],
      tokensFile: boards.tokensFile,
      connections,
    },
  };
}

function move(cardId: number, listId: number): LoadTarget {
  return { path: `/api/v1/tasks/${cardId}`, body: JSON.stringify({ list_id: listId }) };
}

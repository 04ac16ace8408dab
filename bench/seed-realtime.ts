import type { Database } from "bun:sqlite";
import { boardRows } from "./seed-boards";
import { createRandom, sentence } from "./words";

/**
 * The boards of the realtime scenario, added to the seeded database: 100 boards of 10 members,
 * each with a few lists and cards. Their members are users of their own (one session each), so
 * the sockets they open and the cards they update touch nothing the other scenarios read.
 */

export const REALTIME_SHAPE = { boards: 100, members: 10, lists: 3, cardsPerList: 4 } as const;

export interface RealtimeBoard {
  boardId: number;
  /** Indexes into `SeededRealtime.sessions` of this board's members, the owner first. */
  members: number[];
  cardIds: number[];
}

export interface SeededRealtime {
  /** One session per member: [userId, sessionId], in the order their tokens are minted. */
  sessions: { userId: number; sessionId: number }[];
  boards: RealtimeBoard[];
}

export function seedRealtimeBoards(
  sqlite: Database,
  now: number,
  shape: { boards: number; members: number; lists: number; cardsPerList: number } = REALTIME_SHAPE,
): SeededRealtime {
  const random = createRandom(20_261_204);
  const rows = boardRows(sqlite, now);
  const seeded: SeededRealtime = { sessions: [], boards: [] };
  sqlite.transaction(() => {
    for (let b = 1; b <= shape.boards; b++) {
      const members: number[] = [];
      for (let m = 1; m <= shape.members; m++) {
        members.push(seeded.sessions.length);
        seeded.sessions.push(rows.member(`live${b}_${m}`, `Live ${b} member ${m}`));
      }
      const userIds = members.map((index) => seeded.sessions[index]?.userId ?? 0);
      const boardId = rows.board(userIds, `Live board ${b}`, sentence(random, 5, 12));
      const cardIds: number[] = [];
      for (let l = 0; l < shape.lists; l++) {
        const listId = rows.list(boardId, l);
        for (let c = 0; c < shape.cardsPerList; c++) {
          const cardId = rows.card({
            ownerId: userIds[c % userIds.length] ?? 0,
            title: sentence(random, 3, 7),
            description: `${sentence(random, 8, 30)}.`,
            priority: Math.floor(random() * 5),
            position: c,
            boardId,
            listId,
            assigneeId: null,
          });
          cardIds.push(cardId);
        }
      }
      seeded.boards.push({ boardId, members, cardIds });
    }
  })();
  return seeded;
}

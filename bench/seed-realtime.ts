import type { Database } from "bun:sqlite";
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
  const insertUser = sqlite.prepare(
    `INSERT INTO users (username, email, password_hash, full_name, role, is_active, email_verified,
       created_at, updated_at) VALUES (?, ?, 'not-a-hash', ?, 'user', 1, 1, ?, ?)`,
  );
  const insertSession = sqlite.prepare(
    `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent, ip)
     VALUES (?, ?, ?, ?, 'bench', '127.0.0.1') RETURNING id`,
  );
  const insertBoard = sqlite.prepare(
    `INSERT INTO boards (owner_id, name, description, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertMember = sqlite.prepare(
    "INSERT INTO board_members (board_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
  );
  const insertList = sqlite.prepare(
    `INSERT INTO lists (board_id, name, position, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertCard = sqlite.prepare(
    `INSERT INTO tasks (owner_id, title, description, priority, position, board_id, list_id,
       created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );

  const seeded: SeededRealtime = { sessions: [], boards: [] };
  sqlite.transaction(() => {
    for (let b = 1; b <= shape.boards; b++) {
      const members: number[] = [];
      for (let m = 1; m <= shape.members; m++) {
        const name = `live${b}_${m}`;
        const user = insertUser.run(
          name,
          `${name}@example.test`,
          `Live ${b} member ${m}`,
          now,
          now,
        );
        const userId = Number(user.lastInsertRowid);
        const session = insertSession.get(userId, now, now, now + 30 * 86_400_000) as {
          id: number;
        };
        members.push(seeded.sessions.length);
        seeded.sessions.push({ userId, sessionId: session.id });
      }
      const userIds = members.map((index) => seeded.sessions[index]?.userId ?? 0);
      const owner = userIds[0] ?? 0;
      const board = insertBoard.get(
        owner,
        `Live board ${b}`,
        sentence(random, 5, 12),
        now,
        now,
      ) as {
        id: number;
      };
      userIds.forEach((userId, index) => {
        insertMember.run(board.id, userId, index === 0 ? "owner" : "editor", now);
      });
      const cardIds: number[] = [];
      for (let l = 0; l < shape.lists; l++) {
        const list = insertList.get(board.id, `List ${l + 1}`, l, now, now) as { id: number };
        for (let c = 0; c < shape.cardsPerList; c++) {
          const card = insertCard.get(
            userIds[c % userIds.length] ?? owner,
            sentence(random, 3, 7),
            `${sentence(random, 8, 30)}.`,
            Math.floor(random() * 5),
            c,
            board.id,
            list.id,
            now,
            now,
          ) as { id: number };
          cardIds.push(card.id);
        }
      }
      seeded.boards.push({ boardId: board.id, members, cardIds });
    }
  })();
  return seeded;
}

import type { Database } from "bun:sqlite";
import { createRandom, sentence, TAGS } from "./words";

/**
 * The boards the board scenarios use, added to the seeded database: boards of 10 lists × 50
 * cards with 5 members each. Their members are users of their own, so the personal scenarios'
 * users stay on personal tasks alone (their figures stay comparable with earlier runs).
 */

export const BOARD_SHAPE = { members: 5, lists: 10, cardsPerList: 50 } as const;

export interface SeededBoards {
  /** One session per board user: [userId, sessionId], in the order their tokens are minted. */
  sessions: { userId: number; sessionId: number }[];
  /** For each board user, in the same order: their board, and the card they move between lists. */
  users: { boardId: number; cardId: number; fromListId: number; toListId: number }[];
  cards: number;
}

export function seedBoards(sqlite: Database, boards: number, now: number): SeededBoards {
  const random = createRandom(20_261_203);
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
       assignee_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertTag = sqlite.prepare("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");

  const seeded: SeededBoards = { sessions: [], users: [], cards: 0 };
  sqlite.transaction(() => {
    for (let b = 1; b <= boards; b++) {
      const members: number[] = [];
      for (let m = 1; m <= BOARD_SHAPE.members; m++) {
        const name = `boarder${b}_${m}`;
        const user = insertUser.run(
          name,
          `${name}@example.test`,
          `Board ${b} member ${m}`,
          now,
          now,
        );
        const userId = Number(user.lastInsertRowid);
        const session = insertSession.get(userId, now, now, now + 30 * 86_400_000) as {
          id: number;
        };
        seeded.sessions.push({ userId, sessionId: session.id });
        members.push(userId);
      }
      const owner = members[0] ?? 0;
      const board = insertBoard.get(owner, `Board ${b}`, sentence(random, 5, 12), now, now) as {
        id: number;
      };
      members.forEach((userId, index) => {
        insertMember.run(board.id, userId, index === 0 ? "owner" : "editor", now);
      });
      const listIds: number[] = [];
      const firstCards: number[] = [];
      for (let l = 0; l < BOARD_SHAPE.lists; l++) {
        const list = insertList.get(board.id, `List ${l + 1}`, l, now, now) as { id: number };
        listIds.push(list.id);
        for (let c = 0; c < BOARD_SHAPE.cardsPerList; c++) {
          const assignee =
            random() < 0.5 ? (members[Math.floor(random() * members.length)] ?? null) : null;
          const card = insertCard.get(
            members[c % members.length] ?? owner,
            sentence(random, 3, 7),
            random() < 0.7 ? `${sentence(random, 8, 30)}.` : "",
            Math.floor(random() * 5),
            c,
            board.id,
            list.id,
            assignee,
            now,
            now,
          ) as { id: number };
          if (c === 0) firstCards.push(card.id);
          if (random() < 0.5)
            insertTag.run(card.id, TAGS[Math.floor(random() * TAGS.length)] ?? "work");
          seeded.cards += 1;
        }
      }
      // Member m moves the first card of list m to list m + 5, and back: five pairs of lists.
      members.forEach((_, m) => {
        seeded.users.push({
          boardId: board.id,
          cardId: firstCards[m] ?? 0,
          fromListId: listIds[m] ?? 0,
          toListId: listIds[m + BOARD_SHAPE.members] ?? 0,
        });
      });
    }
  })();
  return seeded;
}

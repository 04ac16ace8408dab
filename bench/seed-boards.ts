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

/**
 * The statements both board seeds write with (see seed-realtime.ts too): a member is a user with
 * one bench session; a board's first member is its owner, the others editors.
 */
export function boardRows(sqlite: Database, now: number) {
  const insertUser = sqlite.prepare(
    `INSERT INTO users (username, email, password_hash, full_name, role, is_active, email_verified,
       created_at, updated_at) VALUES (?, ?, 'not-a-hash', ?, 'user', 1, 1, ?, ?)`,
  );
  const insertSession = sqlite.prepare<{ id: number }, [number, number, number, number]>(
    `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent, ip)
     VALUES (?, ?, ?, ?, 'bench', '127.0.0.1') RETURNING id`,
  );
  const insertBoard = sqlite.prepare<{ id: number }, [number, string, string, number, number]>(
    `INSERT INTO boards (owner_id, name, description, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertMember = sqlite.prepare(
    "INSERT INTO board_members (board_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
  );
  const insertList = sqlite.prepare<{ id: number }, [number, string, number, number, number]>(
    `INSERT INTO lists (board_id, name, position, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertCard = sqlite.prepare<{ id: number }, (string | number | null)[]>(
    `INSERT INTO tasks (owner_id, title, description, priority, position, board_id, list_id,
       assignee_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertTag = sqlite.prepare("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");
  const one = (row: { id: number } | null) => row?.id ?? 0;
  return {
    member(name: string, fullName: string): { userId: number; sessionId: number } {
      const user = insertUser.run(name, `${name}@example.test`, fullName, now, now);
      const userId = Number(user.lastInsertRowid);
      return { userId, sessionId: one(insertSession.get(userId, now, now, now + 30 * 86_400_000)) };
    },
    board(memberIds: number[], name: string, description: string): number {
      const boardId = one(insertBoard.get(memberIds[0] ?? 0, name, description, now, now));
      memberIds.forEach((userId, index) => {
        insertMember.run(boardId, userId, index === 0 ? "owner" : "editor", now);
      });
      return boardId;
    },
    list(boardId: number, position: number): number {
      return one(insertList.get(boardId, `List ${position + 1}`, position, now, now));
    },
    card(card: {
      ownerId: number;
      title: string;
      description: string;
      priority: number;
      position: number;
      boardId: number;
      listId: number;
      assigneeId: number | null;
    }): number {
      return one(
        insertCard.get(
          card.ownerId,
          card.title,
          card.description,
          card.priority,
          card.position,
          card.boardId,
          card.listId,
          card.assigneeId,
          now,
          now,
        ),
      );
    },
    tag(cardId: number, tag: string): void {
      insertTag.run(cardId, tag);
    },
  };
}

export function seedBoards(sqlite: Database, boards: number, now: number): SeededBoards {
  const random = createRandom(20_261_203);
  const rows = boardRows(sqlite, now);
  const seeded: SeededBoards = { sessions: [], users: [], cards: 0 };
  sqlite.transaction(() => {
    for (let b = 1; b <= boards; b++) {
      const members: number[] = [];
      for (let m = 1; m <= BOARD_SHAPE.members; m++) {
        const member = rows.member(`boarder${b}_${m}`, `Board ${b} member ${m}`);
        seeded.sessions.push(member);
        members.push(member.userId);
      }
      const owner = members[0] ?? 0;
      const boardId = rows.board(members, `Board ${b}`, sentence(random, 5, 12));
      const listIds: number[] = [];
      const firstCards: number[] = [];
      for (let l = 0; l < BOARD_SHAPE.lists; l++) {
        const listId = rows.list(boardId, l);
        listIds.push(listId);
        for (let c = 0; c < BOARD_SHAPE.cardsPerList; c++) {
          const assignee =
            random() < 0.5 ? (members[Math.floor(random() * members.length)] ?? null) : null;
          const cardId = rows.card({
            ownerId: members[c % members.length] ?? owner,
            title: sentence(random, 3, 7),
            description: random() < 0.7 ? `${sentence(random, 8, 30)}.` : "",
            priority: Math.floor(random() * 5),
            position: c,
            boardId,
            listId,
            assigneeId: assignee,
          });
          if (c === 0) firstCards.push(cardId);
          if (random() < 0.5) rows.tag(cardId, TAGS[Math.floor(random() * TAGS.length)] ?? "work");
          seeded.cards += 1;
        }
      }
      // Member m moves the first card of list m to list m + 5, and back: five pairs of lists.
      members.forEach((_, m) => {
        seeded.users.push({
          boardId,
          cardId: firstCards[m] ?? 0,
          fromListId: listIds[m] ?? 0,
          toListId: listIds[m + BOARD_SHAPE.members] ?? 0,
        });
      });
    }
  })();
  return seeded;
}

import { rmSync } from "node:fs";
import { systemClock } from "../src/platform/clock";
import { openDatabase } from "../src/platform/db/client";
import { migrate } from "../src/platform/db/migrate";
import { mergeSearchIndexes } from "../src/platform/db/search-index";
import { createTokenService } from "../src/platform/tokens";
import { type SeededBoards, seedBoards } from "./seed-boards";
import { type RealtimeBoard, seedRealtimeBoards } from "./seed-realtime";
import { createRandom, SEARCH_WORDS, sentence, TAGS } from "./words";

export interface SeedOptions {
  path: string;
  jwtSecret: string;
  users: number;
  tasksPerUser: number;
  /** Lifetime of the minted access tokens; the server must be given the same ACCESS_TOKEN_TTL. */
  accessTtlSeconds: number;
  /** Boards for the board scenarios (see seed-boards.ts), with users of their own. */
  boards: number;
  /** Whether to add the realtime scenario's boards (see seed-realtime.ts). */
  realtime?: boolean;
}

export interface SeedResult {
  /** One access token per user, each for that user's own session. */
  tokens: string[];
  tasks: number;
  seconds: number;
  /** How many tasks each search word matches (title or description, prefix match). */
  searchHits: Record<string, number>;
  /** One access token per board user, in the order of `boards.users`. */
  boardTokens: string[];
  boards: SeededBoards;
  /** The realtime boards, with one access token per member, if they were asked for. */
  realtime?: { tokens: string[]; boards: RealtimeBoard[] };
}

const DAY_MS = 86_400_000;
const BATCH = 10_000;

/** A migrated database with no rows: what a server starts on before anyone has signed up. */
export function createEmptyDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
  const sqlite = openDatabase(path);
  migrate(sqlite);
  sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite.close();
}

/**
 * Builds a fresh database straight through SQLite (not HTTP): the embedded migrations, users
 * sharing one real argon2id hash, their tasks with tags (the FTS triggers index them as they go),
 * one live session per user, and access tokens minted by the server's own token service.
 */
export async function seedDatabase(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${options.path}${suffix}`, { force: true });
  const sqlite = openDatabase(options.path);
  migrate(sqlite);

  const random = createRandom(20_240_601);
  const now = Date.now();
  const passwordHash = await Bun.password.hash("bench-password-1", { algorithm: "argon2id" });

  const insertUser = sqlite.prepare(
    `INSERT INTO users (username, email, password_hash, full_name, role, is_active, email_verified,
       created_at, updated_at) VALUES (?, ?, ?, ?, 'user', 1, 1, ?, ?)`,
  );
  const insertSession = sqlite.prepare(
    `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent, ip)
     VALUES (?, ?, ?, ?, 'bench', '127.0.0.1') RETURNING id`,
  );
  const insertTask = sqlite.prepare(
    `INSERT INTO tasks (owner_id, title, description, completed, completed_at, due_date, priority,
       position, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
     RETURNING id`,
  );
  const insertTag = sqlite.prepare("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");

  const sessions: { userId: number; sessionId: number }[] = [];
  sqlite.transaction(() => {
    for (let i = 1; i <= options.users; i++) {
      const createdAt = now - 120 * DAY_MS;
      const user = insertUser.run(
        `bench${i}`,
        `bench${i}@example.test`,
        passwordHash,
        `Bench User ${i}`,
        createdAt,
        createdAt,
      );
      const userId = Number(user.lastInsertRowid);
      const session = insertSession.get(userId, now, now, now + 30 * DAY_MS) as { id: number };
      sessions.push({ userId, sessionId: session.id });
    }
  })();

  const insertBatch = sqlite.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) {
      const { userId } = sessions[Math.floor(n / options.tasksPerUser)] ?? { userId: 1 };
      const position = (n % options.tasksPerUser) + 1;
      // Spread creation over the last 90 days, oldest first, so the default sort has work to do.
      const createdAt =
        now - 90 * DAY_MS + Math.floor((position / options.tasksPerUser) * 89 * DAY_MS);
      const completed = random() < 0.3;
      const due = random() < 0.6 ? now + Math.floor((random() - 0.3) * 60 * DAY_MS) : null;
      const row = insertTask.get(
        userId,
        sentence(random, 3, 7),
        random() < 0.8 ? `${sentence(random, 8, 40)}.` : "",
        completed ? 1 : 0,
        completed ? createdAt + DAY_MS : null,
        due,
        Math.floor(random() * 5),
        position,
        createdAt,
        createdAt,
      ) as { id: number };
      const tagCount = Math.floor(random() * 4);
      const tags = new Set<string>();
      for (let t = 0; t < tagCount; t++)
        tags.add(TAGS[Math.floor(random() * TAGS.length)] ?? "work");
      for (const tag of tags) insertTag.run(row.id, tag);
    }
  });
  const total = options.users * options.tasksPerUser;
  for (let from = 0; from < total; from += BATCH) insertBatch(from, Math.min(total, from + BATCH));

  const boards = seedBoards(sqlite, options.boards, now);
  const live = options.realtime ? seedRealtimeBoards(sqlite, now) : null;
  // Bulk inserts leave the search indexes in many segments; a running server merges them from its
  // scheduler's first interval on (src/platform/db/search-index.ts). Measure that steady state.
  mergeSearchIndexes(sqlite, Number.POSITIVE_INFINITY);

  const searchHits: Record<string, number> = {};
  for (const word of SEARCH_WORDS) {
    const row = sqlite
      .query<{ n: number }, [string]>("SELECT count(*) AS n FROM tasks_fts WHERE tasks_fts MATCH ?")
      .get(`"${word}"*`);
    searchHits[word] = row?.n ?? 0;
  }
  // Leave one self-contained file behind: it is copied afresh for every server under test.
  sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite.close();

  const tokenService = await createTokenService(
    options.jwtSecret,
    options.accessTtlSeconds,
    systemClock,
  );
  const tokens = await Promise.all(sessions.map((session) => tokenService.signAccess(session)));
  const boardTokens = await Promise.all(
    boards.sessions.map((session) => tokenService.signAccess(session)),
  );
  const realtime = live && {
    tokens: await Promise.all(live.sessions.map((session) => tokenService.signAccess(session))),
    boards: live.boards,
  };
  return {
    tokens,
    boardTokens,
    boards,
    ...(realtime ? { realtime } : {}),
    tasks: total,
    seconds: (performance.now() - started) / 1000,
    searchHits,
  };
}

import { jwtVerify } from "jose";
import { openDatabase } from "../src/platform/db/client";
import { createBoardRoutes } from "./reference-boards";
import { type CreateBody, validCreate } from "./reference-validation";

/**
 * The yardstick for the benchmark: raw Bun.serve and bun:sqlite prepared statements doing what
 * Kanbun does on the benchmarked routes (same token check and session query, same list, search
 * and insert queries, same response shapes) and nothing more: no framework, no logging.
 * Env: DATABASE_PATH, JWT_SECRET, PORT, HOST.
 *
 * The statements, the checks and the response shapes here and in reference-boards.ts are copies
 * of Kanbun's, on purpose: the yardstick must not run the src/ code it is measured against, so a
 * cost added there shows up as a ratio instead of on both sides. Only the connection settings
 * are shared (openDatabase). A change to what Kanbun queries or returns is copied here by hand.
 */

// The same connection settings as Kanbun's (WAL, synchronous, foreign keys, busy timeout).
const db = openDatabase(process.env.DATABASE_PATH ?? "bench.db");

const key = await crypto.subtle.importKey(
  "raw",
  new TextEncoder().encode(process.env.JWT_SECRET ?? ""),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i;
const LAST_USED_RESOLUTION_MS = 60_000;
const findSession = db.query<{ role: string; last_used_at: number }, [number, number, number]>(
  `SELECT u.role, s.last_used_at FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.is_active = 1`,
);
const touchSession = db.query("UPDATE sessions SET last_used_at = ? WHERE id = ?");

async function authenticate(request: Request): Promise<number | null> {
  const token = BEARER.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!token) return null;
  let payload: Record<string, unknown>;
  try {
    payload = (await jwtVerify(token, key, { algorithms: ["HS256"] })).payload;
  } catch {
    return null;
  }
  const userId = Number(payload.sub);
  const sessionId = payload.sid;
  if (payload.typ !== "access" || !Number.isSafeInteger(userId)) return null;
  if (typeof sessionId !== "number" || !Number.isSafeInteger(sessionId)) return null;
  const now = Date.now();
  const row = findSession.get(sessionId, userId, now);
  if (!row) return null;
  if (now - row.last_used_at > LAST_USED_RESOLUTION_MS) touchSession.run(now, sessionId);
  return userId;
}

interface TaskRow {
  id: number;
  owner_id: number;
  title: string;
  description: string;
  completed: number;
  completed_at: number | null;
  due_date: number | null;
  priority: number;
  position: number;
  board_id: number | null;
  list_id: number | null;
  assignee_id: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function present(row: TaskRow, tags: string[]) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed === 1,
    completed_at: iso(row.completed_at),
    due_date: iso(row.due_date),
    priority: row.priority,
    tags,
    position: row.position,
    board_id: row.board_id,
    list_id: row.list_id,
    assignee_id: row.assignee_id,
    owner_id: row.owner_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    version: row.version,
  };
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

function toFtsQuery(text: string): string | null {
  const words = text.normalize("NFKC").match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, 16)
    .map((word) => `"${word}"*`)
    .join(" ");
}

// The same statements Kanbun runs (src/modules/tasks/visibility.ts), so the ratio compares the
// frameworks and not two query plans: a caller on no board sees their personal tasks, one on
// boards also those boards' cards.
const PERSONAL = "t.owner_id = ? AND t.board_id IS NULL";
const MEMBER_OF = `((${PERSONAL}) OR t.board_id IN (SELECT board_id FROM board_members WHERE user_id = ?))`;
const belongsToABoard = db.query<{ one: number }, [number]>(
  "SELECT 1 AS one FROM board_members WHERE user_id = ? LIMIT 1",
);
function listStatements(visible: string) {
  const matches = `SELECT rowid AS id, bm25(tasks_fts, 10.0, 1.0) AS score FROM tasks_fts
   WHERE tasks_fts MATCH ? AND +rowid IN (SELECT t.id FROM tasks t WHERE ${visible})`;
  return {
    count: db.query<{ total: number }, number[]>(
      `SELECT count(*) AS total FROM tasks t WHERE ${visible}`,
    ),
    page: db.query<{ id: number }, number[]>(
      `SELECT t.id AS id FROM tasks t WHERE ${visible} ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?`,
    ),
    search: db.query<{ id: number; total: number }, (string | number)[]>(
      `SELECT m.id AS id, count(*) OVER () AS total FROM (${matches}) m
       ORDER BY m.score, m.id DESC LIMIT ? OFFSET ?`,
    ),
    countSearch: db.query<{ total: number }, (string | number)[]>(
      `SELECT count(*) AS total FROM (${matches})`,
    ),
  };
}
const PERSONAL_LIST = listStatements(PERSONAL);
const MEMBER_LIST = listStatements(MEMBER_OF);

function intParam(raw: string | null, fallback: number, min: number, max: number): number | null {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return null;
  const value = Number(raw);
  return value >= min && value <= max ? value : null;
}

function listTasks(userId: number, url: URL): Response {
  const limit = intParam(url.searchParams.get("limit"), 50, 1, 200);
  const offset = intParam(url.searchParams.get("offset"), 0, 0, 1e9);
  if (limit === null || offset === null) return problem(422, "Invalid limit or offset");
  const q = url.searchParams.get("q");
  const fts = q === null ? undefined : toFtsQuery(q);
  let total = 0;
  let ids: number[] = [];
  const member = belongsToABoard.get(userId) !== null;
  const statements = member ? MEMBER_LIST : PERSONAL_LIST;
  const who = member ? [userId, userId] : [userId];
  if (fts === undefined) {
    total = statements.count.get(...who)?.total ?? 0;
    if (total > offset) ids = statements.page.all(...who, limit, offset).map((row) => row.id);
  } else if (fts !== null) {
    const page = statements.search.all(fts, ...who, limit, offset);
    ids = page.map((row) => row.id);
    total =
      page[0]?.total ?? (offset === 0 ? 0 : (statements.countSearch.get(fts, ...who)?.total ?? 0));
  }
  let items: ReturnType<typeof present>[] = [];
  if (ids.length > 0) {
    const marks = placeholders(ids.length);
    const rows = new Map(
      db
        .query<TaskRow, number[]>(`SELECT * FROM tasks WHERE id IN (${marks})`)
        .all(...ids)
        .map((row) => [row.id, row]),
    );
    const tags = new Map<number, string[]>();
    for (const row of db
      .query<{ task_id: number; tag: string }, number[]>(
        `SELECT task_id, tag FROM task_tags WHERE task_id IN (${marks}) ORDER BY task_id, tag`,
      )
      .all(...ids)) {
      const list = tags.get(row.task_id);
      if (list) list.push(row.tag);
      else tags.set(row.task_id, [row.tag]);
    }
    items = ids.flatMap((id) => {
      const row = rows.get(id);
      return row ? [present(row, tags.get(id) ?? [])] : [];
    });
  }
  return Response.json(items, {
    headers: { "x-total-count": String(total), link: links(url, total, limit, offset) },
  });
}

function links(url: URL, total: number, limit: number, offset: number): string {
  const link = (rel: string, target: number) => {
    const params = new URLSearchParams(url.search);
    params.set("limit", String(limit));
    params.set("offset", String(target));
    return `<${url.pathname}?${params}>; rel="${rel}"`;
  };
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const parts = [link("first", 0)];
  if (offset > 0) parts.push(link("prev", Math.max(0, Math.min(offset - limit, last))));
  if (offset + limit < total) parts.push(link("next", offset + limit));
  parts.push(link("last", last));
  return parts.join(", ");
}

const nextPosition = db.query<{ max: number | null }, [number]>(
  "SELECT max(position) AS max FROM tasks WHERE owner_id = ? AND +list_id IS NULL",
);
const insertTask = db.query<TaskRow, (string | number | null)[]>(
  `INSERT INTO tasks (owner_id, title, description, completed, completed_at, due_date, priority,
     position, board_id, list_id, assignee_id, created_at, updated_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
);
const insertTag = db.query("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");
// The realtime outbox row Kanbun must write in every change's transaction (issue 9).
const insertEvent = db.query(
  "INSERT INTO events (type, board_id, user_id, data, created_at) VALUES (?, ?, ?, ?, ?)",
);
const createInTransaction = db.transaction((userId: number, body: CreateBody) => {
  const now = Date.now();
  const tags = [...new Set((body.tags ?? []).map((tag) => tag.trim().toLowerCase()))].sort();
  const position = (nextPosition.get(userId)?.max ?? 0) + 1;
  const row = insertTask.get(
    userId,
    body.title.trim(),
    (body.description ?? "").trim(),
    body.completed ? 1 : 0,
    body.completed ? now : null,
    body.due_date ? Date.parse(body.due_date) : null,
    body.priority ?? 0,
    position,
    null,
    null,
    null,
    now,
    now,
  ) as TaskRow;
  for (const tag of tags) insertTag.run(row.id, tag);
  const task = present(row, tags);
  insertEvent.run("task.created", null, userId, JSON.stringify(task), now);
  return task;
});

async function createTask(userId: number, request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(400, "Malformed JSON");
  }
  if (!validCreate(body)) return problem(422, "Invalid task");
  // As Kanbun's writes: the write lock taken up front (BEGIN IMMEDIATE).
  const task = createInTransaction.immediate(userId, body);
  return Response.json(task, {
    status: 201,
    headers: { location: `/api/v1/tasks/${task.id}`, etag: `"${task.id}.${task.version}"` },
  });
}

function problem(status: number, detail: string): Response {
  return Response.json(
    { type: "about:blank", status, detail },
    { status, headers: { "content-type": "application/problem+json" } },
  );
}

const boards = createBoardRoutes({ db, present, problem });

function routeOf(method: string, path: string) {
  if (path === "/api/v1/tasks") {
    if (method === "GET") return { name: "list", id: 0 } as const;
    if (method === "POST") return { name: "create", id: 0 } as const;
    return null;
  }
  const board = /^\/api\/v1\/boards\/(\d+)$/.exec(path);
  if (board && method === "GET") return { name: "board", id: Number(board[1]) } as const;
  const task = /^\/api\/v1\/tasks\/(\d+)$/.exec(path);
  if (task && method === "PATCH") return { name: "move", id: Number(task[1]) } as const;
  return null;
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3001),
  hostname: process.env.HOST ?? "127.0.0.1",
  reusePort: false,
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ status: "ok", version: "reference" });
    const route = routeOf(request.method, url.pathname);
    if (!route) return problem(404, "Not found");
    const userId = await authenticate(request);
    if (userId === null) return problem(401, "Invalid or expired access token");
    if (route.name === "list") return listTasks(userId, url);
    if (route.name === "create") return createTask(userId, request);
    if (route.name === "board") return boards.getBoard(userId, route.id);
    return boards.moveTask(userId, route.id, request);
  },
});

process.on("SIGTERM", () => {
  server.stop(true);
  db.close(false);
  process.exit(0);
});

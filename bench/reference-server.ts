import { jwtVerify } from "jose";
import { openDatabase } from "../src/platform/db/client";

/**
 * The yardstick for the benchmark: raw Bun.serve and bun:sqlite prepared statements doing what
 * Kanbun does on the benchmarked routes (same token check and session query, same list, search
 * and insert queries, same response shapes) and nothing more: no framework, no logging.
 * Env: DATABASE_PATH, JWT_SECRET, PORT, HOST.
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

// The same statements Kanbun runs (src/modules/tasks/list.ts), so the ratio compares the
// frameworks and not two query plans.
const countOwn = db.query<{ total: number }, [number]>(
  "SELECT count(*) AS total FROM tasks t WHERE t.owner_id = ?",
);
const pageOwn = db.query<{ id: number }, [number, number, number]>(
  "SELECT t.id AS id FROM tasks t WHERE t.owner_id = ? ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?",
);
const SEARCH_MATCHES = `SELECT rowid AS id, bm25(tasks_fts, 10.0, 1.0) AS score FROM tasks_fts
   WHERE tasks_fts MATCH ? AND +rowid IN (SELECT t.id FROM tasks t WHERE t.owner_id = ?)`;
const pageSearch = db.query<{ id: number; total: number }, [string, number, number, number]>(
  `SELECT m.id AS id, count(*) OVER () AS total FROM (${SEARCH_MATCHES}) m
   ORDER BY m.score, m.id DESC LIMIT ? OFFSET ?`,
);
const countSearch = db.query<{ total: number }, [string, number]>(
  `SELECT count(*) AS total FROM (${SEARCH_MATCHES})`,
);

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
  if (fts === undefined) {
    total = countOwn.get(userId)?.total ?? 0;
    if (total > offset) ids = pageOwn.all(userId, limit, offset).map((row) => row.id);
  } else if (fts !== null) {
    const page = pageSearch.all(fts, userId, limit, offset);
    ids = page.map((row) => row.id);
    total = page[0]?.total ?? (offset === 0 ? 0 : (countSearch.get(fts, userId)?.total ?? 0));
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
     position, assignee_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   RETURNING *`,
);
const insertTag = db.query("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");
const CREATE_FIELDS = new Set([
  "title",
  "description",
  "completed",
  "due_date",
  "priority",
  "tags",
]);

interface CreateBody {
  title: string;
  description?: string;
  completed?: boolean;
  due_date?: string | null;
  priority?: number;
  tags?: string[];
}

function validCreate(body: unknown): body is CreateBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (Object.keys(b).some((field) => !CREATE_FIELDS.has(field))) return false;
  if (typeof b.title !== "string" || b.title.trim().length === 0 || b.title.length > 200)
    return false;
  if (
    b.description !== undefined &&
    (typeof b.description !== "string" || b.description.length > 10_000)
  )
    return false;
  if (b.completed !== undefined && typeof b.completed !== "boolean") return false;
  if (
    b.priority !== undefined &&
    !(Number.isInteger(b.priority) && Number(b.priority) >= 0 && Number(b.priority) <= 4)
  )
    return false;
  if (
    b.due_date !== undefined &&
    b.due_date !== null &&
    Number.isNaN(Date.parse(String(b.due_date)))
  )
    return false;
  if (b.tags !== undefined) {
    if (!Array.isArray(b.tags) || b.tags.length > 20) return false;
    if (
      !b.tags.every((tag) => typeof tag === "string" && tag.trim().length > 0 && tag.length <= 32)
    )
      return false;
  }
  return true;
}

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
    now,
    now,
  ) as TaskRow;
  for (const tag of tags) insertTag.run(row.id, tag);
  return present(row, tags);
});

async function createTask(userId: number, request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(400, "Malformed JSON");
  }
  if (!validCreate(body)) return problem(422, "Invalid task");
  const task = createInTransaction(userId, body);
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

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3001),
  hostname: process.env.HOST ?? "127.0.0.1",
  reusePort: false,
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ status: "ok", version: "reference" });
    if (url.pathname !== "/api/v1/tasks") return problem(404, "Not found");
    if (request.method !== "GET" && request.method !== "POST") return problem(404, "Not found");
    const userId = await authenticate(request);
    if (userId === null) return problem(401, "Invalid or expired access token");
    return request.method === "GET" ? listTasks(userId, url) : createTask(userId, request);
  },
});

process.on("SIGTERM", () => {
  server.stop(true);
  db.close(false);
  process.exit(0);
});

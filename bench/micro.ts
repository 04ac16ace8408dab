import { copyFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { t } from "elysia";
import { jwtVerify } from "jose";
import { createDeps } from "../src/deps";
import { listTasks } from "../src/modules/tasks/list";
import { selectTags } from "../src/modules/tasks/rows";
import { TaskResponse } from "../src/modules/tasks/schema";
import { createTask } from "../src/modules/tasks/service";
import { loadConfig } from "../src/platform/config";
import * as tables from "../src/platform/db/tables";
import { tasks } from "../src/platform/db/tables";
import { findActor } from "../src/platform/http/auth";
import { paginationLinks } from "../src/platform/http/pagination";
import { pathOf, requestState } from "../src/platform/http/request-context";
import { createLogger } from "../src/platform/logging";
import { SEARCH_WORDS } from "./words";

/**
 * Microbenchmarks of the per-request pieces, on a copy of the benchmark database
 * (run `bun run bench` once first). Run with stdout sent somewhere real, e.g.
 * `bun bench/micro.ts > /tmp/micro-log.ndjson`: the logger lines go there, results to stderr.
 */

const seed = join(import.meta.dir, "results/work/seed.db");
if (!existsSync(seed)) throw new Error("Run `bun run bench` first: it seeds results/work/seed.db");
const dbFile = join(import.meta.dir, "results/work/micro.db");
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
copyFileSync(seed, dbFile);

const secret = "micro-benchmark-secret-0123456789abcdef";
const config = loadConfig({
  NODE_ENV: "production",
  DATABASE_PATH: dbFile,
  JWT_SECRET: secret,
  LOG_LEVEL: "info",
});
const deps = await createDeps(config);
// A SQLite file by construction (DATABASE_PATH above, no DATABASE_URL).
const sqlite = deps.sqlite;
if (sqlite === null) throw new Error("bench/micro.ts measures SQLite; unset DATABASE_URL");
// drizzle on the raw connection, to compare its cost with the statements the app runs.
const orm = drizzle({ client: sqlite, schema: tables });
const report = (line: string) => process.stderr.write(`${line}\n`);

async function time(name: string, fn: () => unknown, iterations = 5000): Promise<number> {
  for (let i = 0; i < Math.max(50, iterations / 10); i++) {
    const result = fn();
    if (result instanceof Promise) await result;
  }
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = fn();
    if (result instanceof Promise) await result;
  }
  const micros = ((performance.now() - started) * 1000) / iterations;
  report(`${name.padEnd(58)} ${micros.toFixed(1).padStart(9)} µs`);
  return micros;
}

report("## auth (per request)");
const tokens = await Promise.all(
  Array.from({ length: 100 }, (_, i) =>
    deps.tokens.signAccess({ userId: i + 1, sessionId: i + 1 }),
  ),
);
let n = 0;
const nextToken = () => tokens[n++ % tokens.length] ?? "";
await time("tokens.verifyAccess (tokens.ts)", () => deps.tokens.verifyAccess(nextToken()));
const key = await crypto.subtle.importKey(
  "raw",
  new TextEncoder().encode(secret),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
await time("jose jwtVerify with an imported CryptoKey", () =>
  jwtVerify(nextToken(), key, { algorithms: ["HS256"] }),
);
await time(
  "findActor (session + user lookup)",
  async () => await findActor(deps, { userId: (n % 100) + 1, sessionId: (n++ % 100) + 1 }),
);

report("## logging and request context (per request)");
const log = createLogger("info");
await time("logger.info access line to stdout", () =>
  log.info("request", {
    request_id: "0b6f0d4e-9a43-4d0b-8a4c-6f1e4c1d2b3a",
    method: "GET",
    path: "/api/v1/tasks",
    status: 200,
    duration_ms: 1.23,
    user_id: 42,
  }),
);
await time("requestState + pathOf (new Request each time)", () => {
  const request = new Request("http://127.0.0.1:3000/api/v1/tasks?limit=20");
  requestState(request);
  return pathOf(request.url);
});
await time("new Request only (baseline for the line above)", () => {
  return new Request("http://127.0.0.1:3000/api/v1/tasks?limit=20");
});

report("## tasks (evidence for src/modules/tasks)");
const actorFor = (i: number) => ({
  userId: (i % 1000) + 1,
  sessionId: (i % 1000) + 1,
  role: "user" as const,
});
let u = 0;
await time(
  "listTasks limit=20 (service, drizzle)",
  async () => await listTasks({ deps, actor: actorFor(u++) }, { limit: 20, offset: 0 }),
  20_000,
);
const countOwn = sqlite.prepare("SELECT count(*) AS total FROM tasks t WHERE t.owner_id = ?");
const pageOwn = sqlite.prepare(
  "SELECT t.id AS id FROM tasks t WHERE t.owner_id = ? ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?",
);
await time(
  "  same list, raw prepared statements (count + ids + rows + tags)",
  () => {
    const userId = (u++ % 1000) + 1;
    countOwn.get(userId);
    const ids = (pageOwn.all(userId, 20, 0) as { id: number }[]).map((row) => row.id);
    const marks = ids.map(() => "?").join(",");
    sqlite.query(`SELECT * FROM tasks WHERE id IN (${marks})`).all(...ids);
    sqlite
      .query(`SELECT task_id, tag FROM task_tags WHERE task_id IN (${marks}) ORDER BY task_id, tag`)
      .all(...ids);
  },
  20_000,
);
const ids20 = (pageOwn.all(7, 20, 0) as { id: number }[]).map((row) => row.id);
await time(
  "  rows by id: drizzle select().where(inArray) — prepares each call",
  async () => await orm.select().from(tasks).where(inArray(tasks.id, ids20)).all(),
);
const rowsSql = `SELECT * FROM tasks WHERE id IN (${ids20.map(() => "?").join(",")})`;
await time("  rows by id: sqlite.query (statement cached by text)", () =>
  sqlite.query(rowsSql).all(...ids20),
);
await time("  rows by id: sqlite.prepare every call (what drizzle does)", () => {
  const statement = sqlite.prepare(rowsSql);
  const rows = statement.all(...ids20);
  statement.finalize();
  return rows;
});
await time("  tags: selectTags (cached statement)", async () => await selectTags(deps.sql, ids20));
await time("  count: db.all(sql`count(*) … owner_id`) (drizzle)", () =>
  orm.all(sql`SELECT count(*) AS total FROM tasks t WHERE t.owner_id = ${7}`),
);
await time("  count: sqlite.query (cached)", () => countOwn.get(7));
const page = await listTasks({ deps, actor: actorFor(7) }, { limit: 20, offset: 0 });
const responseSchema = TypeCompiler.Compile(t.Array(TaskResponse));
await time("response schema Encode (what Elysia runs: schema has transforms)", () =>
  responseSchema.Encode(page.items),
);
await time("response schema Check only", () => responseSchema.Check(page.items));
await time("JSON.stringify of the 20 items", () => JSON.stringify(page.items));
await time("paginationLinks (4 URL objects)", () =>
  paginationLinks("http://127.0.0.1:3000/api/v1/tasks?limit=20", page),
);
for (const word of SEARCH_WORDS) {
  await time(
    `listTasks q=${word}`,
    async () => await listTasks({ deps, actor: actorFor(u++) }, { q: word, limit: 50, offset: 0 }),
    100,
  );
}
await time(
  "createTask (service, drizzle, in a transaction)",
  async () =>
    await createTask(
      { deps, actor: actorFor(u++) },
      { title: "Micro benchmark task", description: "Some words here", tags: ["work", "ops"] },
    ),
  2000,
);
const insertRaw = sqlite.prepare(
  `INSERT INTO tasks (owner_id, title, description, completed, priority, position, created_at,
     updated_at) VALUES (?, ?, ?, 0, 0, ?, ?, ?) RETURNING *`,
);
const insertTagRaw = sqlite.prepare("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)");
const nextPosition = sqlite.prepare(
  "SELECT max(position) AS max FROM tasks WHERE owner_id = ? AND list_id IS NULL",
);
const createRaw = sqlite.transaction((userId: number) => {
  const position = ((nextPosition.get(userId) as { max: number | null }).max ?? 0) + 1;
  const now = Date.now();
  const row = insertRaw.get(
    userId,
    "Micro benchmark task",
    "Some words here",
    position,
    now,
    now,
  ) as {
    id: number;
  };
  insertTagRaw.run(row.id, "ops");
  insertTagRaw.run(row.id, "work");
});
await time(
  "  same insert, raw prepared statements in a transaction",
  () => createRaw((u++ % 1000) + 1),
  2000,
);
await time("  nextPosition query alone (max(position) … list_id IS NULL)", () =>
  nextPosition.get((u++ % 1000) + 1),
);
const nextPositionOwner = sqlite.prepare(
  "SELECT max(position) AS max FROM tasks WHERE owner_id = ? AND +list_id IS NULL",
);
await time("  nextPosition steered to the owner index (+list_id)", () =>
  nextPositionOwner.get((u++ % 1000) + 1),
);

sqlite.close();
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });

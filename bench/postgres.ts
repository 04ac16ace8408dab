import { SQL } from "bun";

/**
 * The PostgreSQL side of the benchmark: databases of its own on a running server (made from the
 * seeded SQLite file once, then copied per run from that template, and dropped afterwards), and
 * the server processes whose CPU time counts beside Kanbun's.
 */

/** The database named `name` on the server `serverUrl` points at. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A name this run owns: lower case, with the pid, so concurrent benchmarks never share one. */
export function benchDatabaseName(...parts: (string | number)[]): string {
  return ["kanbun_bench", process.pid, ...parts]
    .join("_")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
}

async function withServer<T>(serverUrl: string, work: (sql: SQL) => Promise<T>): Promise<T> {
  const sql = new SQL({ url: serverUrl, max: 1 });
  try {
    return await work(sql);
  } finally {
    await sql.close();
  }
}

/** An empty UTF-8 database, or a copy of `template` (which nobody may be connected to). */
export function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  const from = template
    ? `TEMPLATE "${template}"`
    : "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'";
  return withServer(serverUrl, async (sql) => {
    await sql.unsafe(`CREATE DATABASE "${name}" ${from}`);
  });
}

export function dropDatabase(serverUrl: string, name: string): Promise<void> {
  return withServer(serverUrl, async (sql) => {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

/**
 * Copies the seeded SQLite file into the empty database with the binary's own
 * `migrate-to-postgres`, then gathers the planner's statistics, as an operator's first
 * autovacuum pass would, so that the first run does not measure plans made without them.
 */
export async function copySeed(binary: string, seedFile: string, url: string): Promise<number> {
  const started = performance.now();
  const copy = Bun.spawn([binary, "migrate-to-postgres", "--to", url], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DATABASE_PATH: seedFile },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(copy.stdout).text(),
    new Response(copy.stderr).text(),
    copy.exited,
  ]);
  if (code !== 0) throw new Error(`migrate-to-postgres failed (${code}): ${stderr}${stdout}`);
  await withServer(url, async (sql) => {
    await sql.unsafe("ANALYZE");
  });
  return (performance.now() - started) / 1000;
}

// The server-wide processes that write for every backend: WAL, dirty pages, checkpoints.
const WRITERS = ["walwriter", "background writer", "checkpointer"];

/**
 * The server processes doing this database's work: every backend connected to it (Kanbun's
 * pools, its LISTEN connection, autovacuum workers on it) and the server-wide writers, which
 * also write for anyone else using the server at the time.
 */
export function serverPids(serverUrl: string, name: string): Promise<number[]> {
  return withServer(serverUrl, async (sql) => {
    const rows = (await sql`
      SELECT pid FROM pg_stat_activity
      WHERE (datname = ${name} AND pid <> pg_backend_pid()) OR backend_type IN ${sql(WRITERS)}
      ORDER BY pid`) as { pid: number }[];
    return rows.map((row) => Number(row.pid));
  });
}

/**
 * Waits until no backend on the database has been busy for `quietMs`, up to `timeoutMs`, and says
 * how long that took in seconds. A scenario whose requests timed out leaves their queries queued
 * in Kanbun's pool after wrk has gone; the next scenario must not pay for them.
 */
export function waitForQuiet(
  serverUrl: string,
  name: string,
  { quietMs = 600, timeoutMs = 120_000 } = {},
): Promise<number> {
  return withServer(serverUrl, async (sql) => {
    const started = performance.now();
    let quietSince = started;
    while (performance.now() - quietSince < quietMs) {
      if (performance.now() - started > timeoutMs) break;
      const [row] = (await sql`
        SELECT count(*)::int AS busy FROM pg_stat_activity
        WHERE datname = ${name} AND state <> 'idle' AND pid <> pg_backend_pid()`) as {
        busy: number;
      }[];
      if ((row?.busy ?? 0) > 0) quietSince = performance.now();
      await Bun.sleep(100);
    }
    return (performance.now() - started - quietMs) / 1000;
  });
}

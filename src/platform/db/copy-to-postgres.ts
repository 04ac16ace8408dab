import { SQL } from "bun";
import { type ColumnKind, type PlannedTable, planCopy } from "./copy-plan";
import { CopyError, type CopySource, quoteIdentifier, type SourceValue } from "./copy-source";
import { MigrationError } from "./migrate";
import { migratePostgres } from "./postgres-migrate";
import { createPostgresSql } from "./postgres-sql";
import { describePostgresUrl, withoutPassword } from "./postgres-url";
import type { Sql, SqlValue } from "./sql";

/**
 * The PostgreSQL side of `kanbun migrate-to-postgres`: checks the server and that it holds no
 * Kanbun data, applies the migrations, then copies the SQLite snapshot in ONE transaction
 * (under the write lock every Kanbun instance takes), verifies every table's row count before
 * COMMIT and moves each identity past the copied ids. Any failure rolls the copy back whole.
 */

/** PostgreSQL's limit on the parameters of one statement (their count is a 16-bit number). */
export const MAX_PARAMETERS = 65_535;

/**
 * Tables whose rows a migration inserts (event_log's one row, on both databases): they do not
 * count as data already there, and the copy replaces their rows with the SQLite file's.
 */
export const SEEDED_BY_MIGRATIONS: ReadonlySet<string> = new Set(["event_log"]);

/** An unreachable server fails the command this fast; a reachable one answers in milliseconds. */
const CONNECT_TIMEOUT_SECONDS = 10;

export interface CopyOptions {
  /** Parameters per INSERT; below MAX_PARAMETERS only to test the batching. */
  maxParameters?: number;
}

export interface CopyReport {
  /** Each table with the rows copied, in the order copied. */
  tables: { name: string; rows: number }[];
  total: number;
  /** The PostgreSQL migrations applied to the target first. */
  migrations: string[];
  milliseconds: number;
}

export async function copyToPostgres(
  source: CopySource,
  url: URL,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const started = performance.now();
  const plan = planCopy(source.tables);
  const where = describePostgresUrl(url);
  const parameters = options.maxParameters ?? MAX_PARAMETERS;
  try {
    await probe(url, where);
    const sql = createPostgresSql(url.toString(), { max: 1 });
    try {
      // Before the migrations, so that a refused target is left exactly as it was.
      await refuseKanbunRows(sql, plan, where);
      const migrations = await migratePostgres(url.toString());
      await sql.transaction(async () => {
        // Again under the write lock: an instance may have started on the target meanwhile.
        await refuseKanbunRows(sql, plan, where);
        for (const table of plan) await copyTable(sql, source, table, parameters);
        for (const table of plan) await verifyCount(sql, table);
        for (const table of plan) await advanceIdentities(sql, table);
      });
      return {
        tables: plan.map((table) => ({ name: table.name, rows: table.rows })),
        total: plan.reduce((sum, table) => sum + table.rows, 0),
        migrations,
        milliseconds: performance.now() - started,
      };
    } finally {
      await sql.close();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof CopyError || error instanceof MigrationError) {
      throw new CopyError(withoutPassword(reason, url), { cause: error });
    }
    throw new CopyError(`PostgreSQL on ${where}: ${withoutPassword(reason, url)}`, {
      cause: error,
    });
  }
}

/** Fails fast, with a sentence, when the server cannot be reached or is not fit for Kanbun. */
async function probe(url: URL, where: string): Promise<void> {
  const connection = new SQL({
    url: url.toString(),
    max: 1,
    connectionTimeout: CONNECT_TIMEOUT_SECONDS,
  });
  try {
    const [row] = (await connection.unsafe(
      "SELECT current_database() AS database, current_setting('server_encoding') AS encoding",
    )) as { database: string; encoding: string }[];
    const named = decodeURIComponent(url.pathname.replace(/^\//, ""));
    // Bun's driver lets PGDATABASE override the URL's database: copying elsewhere than the
    // URL says would be a surprise found too late.
    if (named && row?.database !== named) {
      throw new CopyError(
        `Connected to database ${row?.database}, not ${named} as the URL says (is PGDATABASE set? unset it)`,
      );
    }
    if (row?.encoding !== "UTF8") {
      throw new CopyError(
        `PostgreSQL on ${where} stores text as ${row?.encoding}; Kanbun needs a UTF8 database`,
      );
    }
  } catch (error) {
    if (error instanceof CopyError) throw error;
    throw new CopyError(`Cannot reach PostgreSQL on ${where}: ${connectionProblem(error)}`);
  } finally {
    await connection.close();
  }
}

function connectionProblem(error: unknown): string {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (code === "ERR_POSTGRES_CONNECTION_REFUSED") {
    return "connection refused (is the server running, and are the host and port right?)";
  }
  if (code === "ERR_POSTGRES_CONNECTION_TIMEOUT") {
    return `no answer within ${CONNECT_TIMEOUT_SECONDS} s`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Refuses a target that holds any Kanbun row: the copy adds to nothing and replaces nothing. */
async function refuseKanbunRows(sql: Sql, plan: PlannedTable[], where: string): Promise<void> {
  const present = new Set(
    (
      await sql.all<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
      )
    ).map((row) => row.name),
  );
  for (const table of plan) {
    if (SEEDED_BY_MIGRATIONS.has(table.name) || !present.has(table.name)) continue;
    const row = await sql.get(`SELECT 1 AS found FROM ${quoteIdentifier(table.name)} LIMIT 1`);
    if (row) {
      throw new CopyError(
        `PostgreSQL on ${where} already holds Kanbun data (table ${table.name} has rows); copy into an empty database`,
      );
    }
  }
}

async function copyTable(
  sql: Sql,
  source: CopySource,
  table: PlannedTable,
  maxParameters: number,
): Promise<void> {
  const names = table.columns.map((column) => column.name);
  const rowsPerInsert = Math.max(1, Math.floor(maxParameters / names.length));
  const head = `INSERT INTO ${quoteIdentifier(table.name)} (${names.map(quoteIdentifier).join(", ")}) VALUES `;
  const tuple = `(${names.map(() => "?").join(", ")})`;
  if (SEEDED_BY_MIGRATIONS.has(table.name)) {
    await sql.run(`DELETE FROM ${quoteIdentifier(table.name)}`);
  }
  // A value PostgreSQL cannot take is named by column and, where the table has one, by id.
  const key = names.indexOf(table.identities[0] ?? "");
  const place = (row: SourceValue[], index: number) =>
    `${table.name}.${names[index]}${key >= 0 ? ` (${names[key]} ${row[key]})` : ""}`;
  for (const batch of source.batches(table.name, names, rowsPerInsert)) {
    const values = batch.flatMap((row) =>
      table.columns.map((column, index) =>
        toPostgres(column.kind, row[index] ?? null, () => place(row, index)),
      ),
    );
    try {
      await sql.run(head + batch.map(() => tuple).join(", "), values);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CopyError(
        `Copying table ${table.name} failed: ${reason.replace(/\.$/, "")}; nothing was copied`,
      );
    }
  }
}

/** One SQLite value as the PostgreSQL column takes it, byte for byte; CopyError if it cannot. */
function toPostgres(kind: ColumnKind, value: SourceValue, place: () => string): SqlValue {
  if (value === null) return null;
  const expect = (what: string) =>
    new CopyError(
      `${place()} holds ${describe(value)} where PostgreSQL takes ${what}; nothing was copied`,
    );
  switch (kind) {
    case "integer": {
      // INTEGER arrives as bigint (safe integers); a number here is a REAL that PostgreSQL
      // would round into the column.
      if (typeof value !== "bigint") throw expect("a whole number");
      const number = Number(value);
      if (!Number.isSafeInteger(number)) throw expect("a number below 2^53");
      return number;
    }
    case "float":
      if (typeof value === "bigint") return Number(value);
      if (typeof value !== "number") throw expect("a number");
      return value;
    case "text":
      if (typeof value !== "string") throw expect("text");
      // PostgreSQL's text cannot hold U+0000, which SQLite's can.
      if (value.includes("\u0000")) throw expect("text without NUL characters");
      return value;
  }
}

function describe(value: SourceValue): string {
  if (value instanceof Uint8Array) return `${value.byteLength} bytes of binary data`;
  if (typeof value === "string") return `text ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value === "bigint" ? "the integer" : "the number"} ${value}`;
}

async function verifyCount(sql: Sql, table: PlannedTable): Promise<void> {
  const row = await sql.get<{ n: number }>(
    `SELECT count(*) AS n FROM ${quoteIdentifier(table.name)}`,
  );
  const copied = row?.n ?? 0;
  if (copied !== table.rows) {
    throw new CopyError(
      `Table ${table.name} has ${table.rows} rows in SQLite but ${copied} in PostgreSQL after copying; nothing was copied`,
    );
  }
}

/** Moves each identity past the copied ids and past every id SQLite ever handed out. */
async function advanceIdentities(sql: Sql, table: PlannedTable): Promise<void> {
  for (const column of table.identities) {
    const quoted = quoteIdentifier(column);
    const row = await sql.get<{ high: number | null }>(
      `SELECT max(${quoted}) AS high FROM ${quoteIdentifier(table.name)}`,
    );
    const high = Math.max(row?.high ?? 0, table.sequence);
    if (high === 0) continue;
    await sql.get("SELECT setval(pg_get_serial_sequence(?, ?), ?)", [
      quoteIdentifier(table.name),
      column,
      high,
    ]);
  }
}

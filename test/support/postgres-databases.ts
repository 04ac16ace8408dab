import { SQL } from "bun";

/**
 * Databases for the plain suite on PostgreSQL (TEST_DATABASE_URL set). Migrating costs about
 * 250 ms, so it runs once per process into a template; each test context then gets a copy,
 * `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY` (about 55 ms here, against 77 ms for the
 * default WAL_LOG strategy; dropping one costs about 35 ms), private to it as SQLite's in-memory
 * copies are. Every copy is dropped after the test that made it (or, for one made outside a
 * test, after the run), and the template last: the server is left as it was.
 */

const PREFIX = `kanbun_suite_${process.pid}_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;

interface Created {
  name: string;
  /** Ends the pool of the deps made on it before the database is dropped. */
  close: () => Promise<void>;
  /** Made during a test (dropped after it) or outside one (dropped after the run). */
  inTest: boolean;
}

let admin: SQL | null = null;
let template: Promise<string> | null = null;
let counter = 0;
let inTest = false;
const created: Created[] = [];

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  return url;
}

function urlOf(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

function adminConnection(): SQL {
  admin ??= new SQL({
    url: serverUrl(),
    database: new URL(serverUrl()).pathname.slice(1) || "postgres",
    max: 1,
  });
  return admin;
}

async function migratedTemplate(): Promise<string> {
  const name = `${PREFIX}_template`;
  await adminConnection().unsafe(`CREATE DATABASE ${name}`);
  // Loaded here only: the SQLite suite never needs it.
  const { migratePostgres } = await import("../../src/platform/db/postgres-migrate");
  await migratePostgres(urlOf(name));
  return name;
}

/** A fresh migrated database's URL; `register` hands over how to close what uses it. */
export async function createSuiteDatabase(): Promise<{
  url: string;
  register: (close: () => Promise<void>) => void;
}> {
  template ??= migratedTemplate();
  const source = await template;
  const name = `${PREFIX}_${++counter}`;
  await adminConnection().unsafe(`CREATE DATABASE ${name} TEMPLATE ${source} STRATEGY FILE_COPY`);
  const entry: Created = { name, close: async () => {}, inTest };
  created.push(entry);
  return {
    url: urlOf(name),
    register: (close) => {
      entry.close = close;
    },
  };
}

async function dropAll(which: (entry: Created) => boolean): Promise<void> {
  const leaving = created.filter(which);
  for (const entry of leaving) {
    created.splice(created.indexOf(entry), 1);
    await entry.close().catch(() => undefined);
    await adminConnection().unsafe(`DROP DATABASE IF EXISTS ${entry.name} WITH (FORCE)`);
  }
}

/** Called by the preload around every test of the plain suite. */
export function testStarted(): void {
  inTest = true;
}

export async function testEnded(): Promise<void> {
  inTest = false;
  await dropAll((entry) => entry.inTest);
}

/** Called by the preload after the run: what is left, then the template. */
export async function runEnded(): Promise<void> {
  await dropAll(() => true);
  if (template) {
    const name = await template.catch(() => null);
    if (name) await adminConnection().unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  await admin?.close();
  admin = null;
}

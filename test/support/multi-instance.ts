/**
 * The multi-instance test (issue 11): two `kanbun serve` processes of the compiled binary on one
 * fresh PostgreSQL database, behind no proxy but told by X-Forwarded-For who calls, as a load
 * balancer in front of them would. Run on PostgreSQL alone (test/postgres/multi-instance.pg.ts)
 * and with Redis (test/redis/multi-instance.redis.ts); the checks are the same.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { embeddedPostgresMigrations } from "../../src/platform/db/postgres-migrate";
import { cleanUp, ensureBinary } from "../e2e/binary-process";
import { createScratchDatabase } from "./backends";
import {
  AUTH_RATE_LIMIT_MAX,
  type Instance,
  pairEnv,
  RATE_LIMIT_MAX,
  startPair,
} from "./instance-pair";
import { limitChecks } from "./multi-instance-limits";
import { realtimeChecks } from "./multi-instance-realtime";
import { reminderChecks } from "./multi-instance-reminders";
import { startSmtpServer, type TestSmtpServer } from "./smtp";

export interface PairContext {
  a: Instance;
  b: Instance;
  binary: string;
  /** What both instances run with, for the command line to reach the same database. */
  env: Record<string, string>;
  /** The shared database, for what only its rows can show. */
  db: SQL;
  /** Where both instances send their mail. */
  smtp: TestSmtpServer;
}

/** What the instances share besides PostgreSQL: nothing, or Redis (its URL, and a clean-up). */
export interface SharedBackend {
  setUp(): Promise<Record<string, string>>;
  tearDown(): Promise<void>;
  /** How many limit counters the backend holds (the database's are counted by the caller). */
  counters(): Promise<number>;
  /** Where the instances must have counted their limits. */
  store: "database" | "redis";
}

export const POSTGRES_ONLY: SharedBackend = {
  setUp: async () => ({}),
  tearDown: async () => {},
  counters: async () => 0,
  store: "database",
};

/** The log lines at level error (a failed scheduler run or job, an unexpected 500...). */
function errorLines(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter(
      (line) => line.startsWith("{") && (JSON.parse(line) as { level?: string }).level === "error",
    );
}

export function describeMultiInstance(title: string, backend: SharedBackend): void {
  describe(title, () => {
    let context: PairContext | null = null;
    const pair = (): PairContext => {
      if (!context) throw new Error("the instances did not start (see beforeAll)");
      return context;
    };
    const cleanups: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      const binary = ensureBinary();
      const database = await createScratchDatabase();
      cleanups.push(() => database.drop());
      const smtp = await startSmtpServer();
      cleanups.push(() => smtp.close());
      const shared = await backend.setUp();
      cleanups.push(() => backend.tearDown());
      const db = new SQL(database.url, { max: 2 });
      cleanups.push(() => db.close());
      const env = pairEnv(database.url, {
        SMTP_URL: smtp.url,
        RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
        AUTH_RATE_LIMIT_MAX: String(AUTH_RATE_LIMIT_MAX),
        // Both schedulers raise reminders every second, so their runs overlap many times.
        SCHEDULER_INTERVAL: "1s",
        ...shared,
      });
      const [a, b] = await startPair(binary, env);
      context = { a, b, binary, env, db, smtp };
    }, 180_000);

    afterAll(async () => {
      // The processes go before what they use.
      cleanUp();
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    test("started at once on an empty database, they migrate it once", async () => {
      const { db } = pair();
      const embedded = embeddedPostgresMigrations();
      const rows = (await db`SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id`) as {
        hash: string;
      }[];
      expect(rows.map((row) => row.hash)).toEqual(embedded.map((migration) => migration.hash));
    });

    realtimeChecks(pair);
    limitChecks(pair);
    reminderChecks(pair);

    test(`the limits were counted in ${backend.store === "redis" ? "Redis" : "the database"}`, async () => {
      const [row] = (await pair().db`SELECT count(*)::int AS n FROM shared_counters`) as {
        n: number;
      }[];
      const held = { database: row?.n ?? 0, redis: await backend.counters() };
      expect(held[backend.store]).toBeGreaterThan(0);
      expect(held[backend.store === "redis" ? "database" : "redis"]).toBe(0);
    });

    test("neither logged an error, and both stop cleanly on SIGTERM", async () => {
      const { a, b } = pair();
      expect(await Promise.all([a.server.stop(), b.server.stop()])).toEqual([0, 0]);
      for (const { name, server } of [a, b]) {
        expect({ name, errors: errorLines(server.stdout()), stderr: server.stderr() }).toEqual({
          name,
          errors: [],
          stderr: "",
        });
      }
    });
  });
}

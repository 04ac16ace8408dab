import type { WindowCount, WindowCounters } from "../../src/platform/shared/counters";
import { SqlWindowCounters } from "../../src/platform/shared/sql-counters";
import type { SharedState } from "../../src/platform/shared/state";
import { freshDatabase } from "./database";
import { sqliteSql } from "./minimal-sql";

type Operation = keyof WindowCounters;

/**
 * A shared store that tests can take down, whole or one operation at a time, as a Redis or a
 * database that stops answering: each call then fails as a lost connection does.
 */
export class UnreliableCounters implements WindowCounters {
  private readonly down = new Set<Operation>();

  constructor(private readonly store: WindowCounters) {}

  fail(...operations: Operation[]): void {
    const all: Operation[] = ["hit", "hold", "release", "peek", "reset", "sweep"];
    for (const operation of operations.length > 0 ? operations : all) this.down.add(operation);
  }

  recover(): void {
    this.down.clear();
  }

  async hit(key: string, windowMs: number, now: number): Promise<WindowCount> {
    this.check("hit");
    return await this.store.hit(key, windowMs, now);
  }

  async hold(key: string, leaseMs: number, now: number): Promise<WindowCount> {
    this.check("hold");
    return await this.store.hold(key, leaseMs, now);
  }

  async release(key: string, now: number): Promise<void> {
    this.check("release");
    await this.store.release(key, now);
  }

  async peek(key: string, now: number): Promise<WindowCount | null> {
    this.check("peek");
    return await this.store.peek(key, now);
  }

  async reset(key: string): Promise<void> {
    this.check("reset");
    await this.store.reset(key);
  }

  async sweep(now: number): Promise<number> {
    this.check("sweep");
    return await this.store.sweep(now);
  }

  private check(operation: Operation): void {
    if (this.down.has(operation)) throw new Error("Connection closed");
  }
}

/**
 * Counters in a database of their own, as instances on one PostgreSQL server (or Redis) share
 * them while each app here keeps its own database for everything else.
 */
export function sharedCountersDatabase(): UnreliableCounters {
  return new UnreliableCounters(new SqlWindowCounters(sqliteSql(freshDatabase())));
}

/** Deps' shared state over `counters`, with no wake (the feed's wake has tests of its own). */
export function sharedStateOn(counters: WindowCounters): SharedState {
  return { store: "database", counters, wake: null, close: async () => {} };
}

import type { RedisClient } from "bun";
import type { WindowCount, WindowCounters } from "./counters";
import { RedisConnection } from "./redis-connection";

/**
 * Each operation is one Lua script, which Redis runs atomically: no other command on the key
 * comes between the count and its expiry. Windows are timed by Redis's own clock through the
 * key's expiry, so Redis also sweeps ended windows, and `resetAt` is the key's expiry time
 * (PEXPIRETIME, Redis 7): the same figure for every instance, where one worked out from the TTL
 * would differ by the round trip. Instances and Redis are expected to keep NTP time, as the
 * database-timed stores expect of the instances.
 */

/** INCR, then PEXPIRE NX: only the hit that starts a window sets its end. */
const HIT = `local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return {count, redis.call('PEXPIRETIME', KEYS[1])}`;

/** INCR, then PEXPIRE: every hold moves the end out. */
const HOLD = `local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {count, redis.call('PEXPIRETIME', KEYS[1])}`;

/** DECR keeps the TTL; a missing key (an ended window) stays missing rather than going to -1. */
const RELEASE = `local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

const PEEK = "return {redis.call('GET', KEYS[1]), redis.call('PEXPIRETIME', KEYS[1])}";

/** Keeps Kanbun's keys apart from anything else stored in the same Redis database. */
export const COUNTER_KEY_PREFIX = "kanbun:counter:";

export class RedisWindowCounters implements WindowCounters {
  private readonly redis: RedisConnection;

  constructor(
    client: RedisClient,
    private readonly prefix = COUNTER_KEY_PREFIX,
  ) {
    this.redis = new RedisConnection(client);
  }

  async hit(key: string, windowMs: number, _now: number): Promise<WindowCount> {
    return this.counted(HIT, key, windowMs);
  }

  async hold(key: string, leaseMs: number, _now: number): Promise<WindowCount> {
    return this.counted(HOLD, key, leaseMs);
  }

  async release(key: string, _now: number): Promise<void> {
    await this.redis.send("EVAL", [RELEASE, "1", this.prefix + key]);
  }

  async peek(key: string, _now: number): Promise<WindowCount | null> {
    const [count, endsAt] = (await this.redis.send("EVAL", [PEEK, "1", this.prefix + key])) as [
      string | null,
      number,
    ];
    // -2: no key; -1: a key without expiry, which these scripts never leave behind.
    return count === null || endsAt < 0 ? null : { count: Number(count), resetAt: endsAt };
  }

  async reset(key: string): Promise<void> {
    await this.redis.send("DEL", [this.prefix + key]);
  }

  /** Redis drops a key when its TTL runs out: nothing is left to sweep. */
  sweep(_now: number): number {
    return 0;
  }

  private async counted(script: string, key: string, ms: number) {
    const [count, resetAt] = (await this.redis.send("EVAL", [
      script,
      "1",
      this.prefix + key,
      String(Math.max(1, Math.ceil(ms))),
    ])) as [number, number];
    return { count, resetAt };
  }
}

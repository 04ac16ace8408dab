import type { RedisClient } from "bun";

/** How long a command may wait for Redis (connecting included) before it counts as failed. */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/**
 * Commands on a Bun RedisClient that outlive a Redis restart. The client reconnects by itself
 * `maxRetries` times and then gives up: from then on every command fails with "Connection has
 * failed" until `connect()` is called (Bun 1.4.4), so a long Redis outage would leave the
 * counters failing after Redis came back. Here a command on a client that is not connected first
 * calls `connect()`, once for all the commands waiting on it.
 *
 * A command that gets no answer within `timeoutMs` fails: the request path waits on these, and
 * a Redis that stopped answering must cost a request a bounded wait, never a hang. (Give the
 * client `autoReconnect: false` and `enableOfflineQueue: false` too, or its commands queue
 * for as long as Redis is away.)
 */
export class RedisConnection {
  private connecting: Promise<void> | null = null;

  constructor(
    readonly client: RedisClient,
    private readonly timeoutMs = REDIS_COMMAND_TIMEOUT_MS,
  ) {}

  async send(command: string, args: string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer ${command} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.sendNow(command, args), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async sendNow(command: string, args: string[]): Promise<unknown> {
    if (!this.client.connected) await this.connect();
    return this.client.send(command, args);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.client.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }
}

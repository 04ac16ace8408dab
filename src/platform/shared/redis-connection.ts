import type { RedisClient } from "bun";

/**
 * Commands on a Bun RedisClient that outlive a Redis restart. The client reconnects by itself
 * `maxRetries` times and then gives up: from then on every command fails with "Connection has
 * failed" until `connect()` is called (Bun 1.4.4), so a long Redis outage would leave the
 * counters failing after Redis came back. Here a command on a client that is not connected first
 * calls `connect()`, once for all the commands waiting on it.
 */
export class RedisConnection {
  private connecting: Promise<void> | null = null;

  constructor(readonly client: RedisClient) {}

  async send(command: string, args: string[]): Promise<unknown> {
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

/**
 * Raw HTTP/1.1 over TCP, for tests about the wire: what a client that streams, stalls, hangs up or
 * breaks the framing does to a real server. Bun's sockets write what the kernel takes and report
 * the rest, so writes queue the remainder until `drain`; chunked framing stays intact however
 * fast the test writes. (node:net would do the queueing, but on a write to a connection the server
 * has closed it drops the response that came before the close, unread.)
 */
import type { Socket } from "bun";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private received = Buffer.alloc(0);
  private pending: Uint8Array[] = [];
  private drained: (() => void)[] = [];
  private closedByPeer = false;
  private socket!: Socket<undefined>;
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor() {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  static async open(port: number): Promise<RawConnection> {
    const connection = new RawConnection();
    connection.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_socket, data) => {
          connection.received = Buffer.concat([connection.received, data]);
        },
        drain: () => connection.flush(),
        close: () => connection.onClose(),
        // A write to a connection the server has closed fails; the test looks at what came back.
        error: () => connection.onClose(),
      },
    });
    return connection;
  }

  get isClosed(): boolean {
    return this.closedByPeer;
  }

  /** The first response, once its head and whole body have arrived; null until then. */
  response(): RawResponse | null {
    const text = this.received.toString("utf8");
    const end = text.indexOf("\r\n\r\n");
    if (end === -1) return null;
    const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = text.slice(end + 4);
    const length = Number(headers["content-length"] ?? 0);
    if (Buffer.byteLength(body) < length) return null;
    return { status: Number(statusLine.split(" ")[1]), headers, body };
  }

  /** Resolves once the kernel has taken every byte, or the connection is gone. */
  write(data: string | Uint8Array): Promise<void> {
    this.pending.push(typeof data === "string" ? Buffer.from(data) : data);
    this.flush();
    if (this.pending.length === 0 || this.closedByPeer) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Waits up to `ms` for a whole response. */
  async waitForResponse(ms = 2_000): Promise<RawResponse | null> {
    const deadline = performance.now() + ms;
    for (;;) {
      const response = this.response();
      if (response || performance.now() > deadline) return response;
      await Bun.sleep(2);
    }
  }

  /** Waits up to `ms` for the server to close the connection; whether it did. */
  async waitForClose(ms = 2_000): Promise<boolean> {
    await Promise.race([this.closed, Bun.sleep(ms)]);
    return this.closedByPeer;
  }

  destroy(): void {
    this.socket.terminate();
  }

  private flush(): void {
    while (this.pending.length > 0 && !this.closedByPeer) {
      const next = this.pending[0] as Uint8Array;
      const written = this.socket.write(next);
      if (written < 0) {
        this.onClose();
        return;
      }
      if (written < next.byteLength) {
        this.pending[0] = next.subarray(written);
        return;
      }
      this.pending.shift();
    }
    for (const resolve of this.drained.splice(0)) resolve();
  }

  private onClose(): void {
    this.closedByPeer = true;
    this.pending = [];
    for (const resolve of this.drained.splice(0)) resolve();
    this.markClosed();
  }
}

/** Request head for a chunked upload (no Content-Length). */
export function chunkedHead(method: string, path: string, headers: Record<string, string> = {}) {
  const lines = Object.entries({ "content-type": "application/json", ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  return `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n${lines.join("")}\r\n`;
}

/** One chunk of chunked framing around `data`. */
export function chunk(data: Uint8Array): Uint8Array {
  return Buffer.concat([
    Buffer.from(`${data.byteLength.toString(16)}\r\n`),
    data,
    Buffer.from("\r\n"),
  ]);
}

/**
 * Streams a chunked body of up to `total` bytes, stopping as soon as the server answers (or hangs
 * up), the way a client would that reads while it sends. Returns the answer and what was sent.
 */
export async function streamUntilAnswered(
  connection: RawConnection,
  head: string,
  total: number,
  chunkSize = 64 * 1024,
): Promise<{ response: RawResponse | null; sent: number }> {
  await connection.write(head);
  const frame = chunk(new Uint8Array(chunkSize).fill(0x61));
  let sent = 0;
  while (sent < total && !connection.response() && !connection.isClosed) {
    await connection.write(frame);
    sent += chunkSize;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { response: await connection.waitForResponse(), sent };
}

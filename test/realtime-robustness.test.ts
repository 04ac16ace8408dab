import { afterEach, describe, expect, test } from "bun:test";
import { startServer } from "../src/cli/serve";
import { loadConfig } from "../src/platform/config";
import { createLogger } from "../src/platform/logging";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { TEST_SECRET, UNTHROTTLED_ENV } from "./support/app";
import { createTask, createUser } from "./support/factories";
import { createLiveContext, isEvent, type LiveContext, openSocket } from "./support/live";

// Clients that misbehave, or stop reading, never hurt the server; shutdown says goodbye.

let live: LiveContext | undefined;
afterEach(async () => {
  await live?.stop();
  live = undefined;
});

async function liveUser() {
  live = await createLiveContext();
  const user = await createUser(live);
  return { ctx: live, user };
}

describe("client messages", () => {
  test("a JSON ping is answered with a pong; other text is ignored and the socket stays", async () => {
    const { ctx, user } = await liveUser();
    const socket = await ctx.connect(user.accessToken);
    await socket.next((message) => message.type === "ready");
    for (const text of ["hello", "{", '{"type":"subscribe","board_id":1}', "", "null"]) {
      socket.raw.send(text);
    }
    socket.raw.send('{"type":"ping"}');
    expect(await socket.next()).toEqual({ type: "pong" });
    const task = await createTask(ctx, user);
    expect((await socket.next(isEvent)).data?.id).toBe(task.id);
  });

  test("/metrics counts open sockets", async () => {
    const { ctx, user } = await liveUser();
    const scrape = async () => {
      const text = await (await ctx.request("/metrics")).text();
      return Number(/^kanbun_websockets_open (\d+)/m.exec(text)?.[1]);
    };
    expect(await scrape()).toBe(0);
    const socket = await ctx.connect(user.accessToken);
    await socket.next((message) => message.type === "ready");
    expect(await scrape()).toBe(1);
    socket.close();
    await socket.closed;
    // The server learns of the close a moment after the client does.
    for (let i = 0; i < 100 && (await scrape()) !== 0; i++) await Bun.sleep(10);
    expect(await scrape()).toBe(0);
  });

  test("a binary message closes the socket with 1003", async () => {
    const { ctx, user } = await liveUser();
    const socket = await ctx.connect(user.accessToken);
    socket.raw.send(new Uint8Array([1, 2, 3]));
    expect((await socket.closed).code).toBe(1003);
  });

  test("a message over 4 KiB closes the socket with 1009", async () => {
    const { ctx, user } = await liveUser();
    const socket = await ctx.connect(user.accessToken);
    socket.raw.send("x".repeat(5000));
    expect((await socket.closed).code).toBe(1009);
    // The server goes on serving.
    const again = await ctx.connect(user.accessToken);
    expect(await again.next()).toMatchObject({ type: "ready" });
  });
});

// A WebSocket client that completes the handshake and then stops reading. It runs in Node.js,
// whose paused sockets really stop reading from the kernel (Node is on every machine that runs
// the suite: CI installs Bun with npm).
const STALLED_CLIENT = `
const net = require("node:net");
const [host, port, token] = process.argv.slice(1);
const socket = net.connect({ host, port: Number(port) }, () => {
  socket.write("GET /api/v1/ws?access_token=" + token + " HTTP/1.1\\r\\nHost: " + host +
    "\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\nSec-WebSocket-Version: 13" +
    "\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n\\r\\n");
});
socket.once("data", (chunk) => {
  socket.pause();
  console.log(String(chunk).split("\\r\\n")[0]);
});
socket.on("close", () => process.exit(0));
`;

async function stalledClient(origin: string, token: string) {
  const { hostname, port } = new URL(origin);
  const child = Bun.spawn(["node", "-e", STALLED_CLIENT, hostname, port, token], {
    stdout: "pipe",
  });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toStartWith("HTTP/1.1 101");
  return child;
}

describe("a client that does not read", () => {
  test("is disconnected once its backlog passes the limit, while others keep receiving", async () => {
    const { ctx, user } = await liveUser();
    const stalled = await stalledClient(ctx.origin, user.accessToken);
    const reader = await ctx.connect(user.accessToken);
    await reader.next((message) => message.type === "ready");
    expect(ctx.deps.realtime.hub.countOf(user.id)).toBe(2);
    // ~10 KB per event: the kernel's buffers fill first, then the server's 1 MiB.
    const description = "d".repeat(10_000);
    let sent = 0;
    while (ctx.deps.realtime.hub.countOf(user.id) === 2 && sent < 3000) {
      await createTask(ctx, user, { description });
      sent += 1;
      // app.handle() alone never reaches the event loop's I/O phase, where sockets are written.
      await Bun.sleep(1);
    }
    expect(ctx.deps.realtime.hub.countOf(user.id)).toBe(1);
    expect(sent).toBeLessThan(3000);
    // The reader got every one of them.
    let received = 0;
    while (received < sent) {
      await reader.next(isEvent);
      received += 1;
    }
    stalled.kill();
  });
});

test("graceful shutdown closes open sockets with 1001 and stops promptly", async () => {
  const config = loadConfig({
    ...UNTHROTTLED_ENV,
    NODE_ENV: "test",
    DATABASE_PATH: ":memory:",
    JWT_SECRET: TEST_SECRET,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
  });
  const running = await startServer(config, {
    passwordCost: TEST_PASSWORD_COST,
    log: createLogger("silent"),
  });
  try {
    const signup = await fetch(`${running.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        username: "closer",
        email: "closer@example.com",
        password: "Sturdy-pass-9x",
      }),
    });
    expect(signup.status).toBe(201);
    const login = await fetch(`${running.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "closer", password: "Sturdy-pass-9x" }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const socket = await openSocket(
      `${running.url.replace("http", "ws")}/api/v1/ws?access_token=${access_token}`,
    );
    await socket.next((message) => message.type === "ready");
    const started = performance.now();
    await running.stop("test");
    expect((await socket.closed).code).toBe(1001);
    expect(performance.now() - started).toBeLessThan(2000);
  } finally {
    await running.stop("test");
  }
});

/**
 * Live events from the compiled binary over real sockets: a board member sees a card as it is
 * made, a password set from the command line (another process) closes that user's socket, and
 * SIGTERM says goodbye with 1001.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { openSocket } from "../support/live";
import {
  cleanUp,
  ensureBinary,
  makeTempDir,
  runCli,
  serverEnv,
  startServer,
} from "./binary-process";

const TIMEOUT = 30_000;
let binary = "";

beforeAll(() => {
  binary = ensureBinary();
}, 120_000);

afterAll(cleanUp);

test(
  "members get a card live; a CLI password change closes the socket; shutdown closes with 1001",
  async () => {
    const dir = makeTempDir();
    const env = serverEnv(dir);
    const server = await startServer(binary, dir, env);
    const api = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      expect({ path, status: response.status < 300 }).toEqual({ path, status: true });
      return (await response.json()) as Record<string, unknown>;
    };
    const signIn = async (name: string) => {
      const password = `Sturdy-${name}-passphrase`;
      await api("/auth/signup", { username: name, email: `${name}@example.com`, password });
      const { access_token } = await api("/auth/login", { username: name, password });
      return String(access_token);
    };
    const owner = await signIn("owner");
    const member = await signIn("member");
    const board = await api("/boards", { name: "Launch" }, owner);
    await api(`/boards/${board.id}/members`, { user: "member", role: "viewer" }, owner);
    const list = await api(`/boards/${board.id}/lists`, { name: "Todo" }, owner);

    const ws = server.baseUrl.replace("http", "ws");
    const ownerSocket = await openSocket(`${ws}/api/v1/ws?access_token=${owner}`);
    const memberSocket = await openSocket(`${ws}/api/v1/ws`, ["bearer", member]);
    for (const socket of [ownerSocket, memberSocket]) {
      await socket.next((message) => message.type === "ready");
    }
    const card = await api("/tasks", { title: "Ship", list_id: list.id }, owner);
    for (const socket of [ownerSocket, memberSocket]) {
      const event = await socket.next((message) => message.seq !== undefined);
      expect(event).toMatchObject({ type: "task.created", board_id: board.id, data: card });
    }

    const reset = await runCli(
      binary,
      [
        "users",
        "set-password",
        "--email",
        "member@example.com",
        "--password",
        "Another-sturdy-pass-1",
      ],
      dir,
      env,
    );
    expect(reset.exitCode).toBe(0);
    // The server learns of another process's change within its one-second look at the feed.
    expect((await memberSocket.closed).code).toBe(4001);

    expect(await server.stop()).toBe(0);
    expect((await ownerSocket.closed).code).toBe(1001);
  },
  TIMEOUT,
);

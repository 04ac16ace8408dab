/**
 * Request bodies on the wire, against real servers over raw sockets: streamed bodies past
 * BODY_LIMIT, declared lengths of any size, clients that hang up or break the chunked framing,
 * and what a body's bytes and media type may be.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type RunningServer, startServer } from "../src/cli/serve";
import { loadConfig } from "../src/platform/config";
import { createLogger } from "../src/platform/logging";
import { TEST_PASSWORD_COST } from "../src/platform/passwords";
import { TEST_SECRET } from "./support/app";
import { userValues } from "./support/factories";
import {
  chunk,
  chunkedHead,
  RawConnection,
  type RawResponse,
  streamUntilAnswered,
} from "./support/wire";

const LIMIT = 64 * 1024;
const MiB = 1024 * 1024;

interface Server {
  running: RunningServer;
  port: number;
  logs: Record<string, unknown>[];
}

async function start(env: Record<string, string> = {}): Promise<Server> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: ":memory:",
    JWT_SECRET: TEST_SECRET,
    BODY_LIMIT: String(LIMIT),
    RATE_LIMIT_MAX: "0",
    AUTH_RATE_LIMIT_MAX: "0",
    AUTH_BAN_THRESHOLD: "0",
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const running = await startServer(config, {
    log: createLogger("info", (line) => logs.push(JSON.parse(line))),
    passwordCost: TEST_PASSWORD_COST,
    shutdownGraceMs: 2_000,
  });
  return { running, port: Number(new URL(running.url).port), logs };
}

function expectProblemOnWire(response: RawResponse | null, status: number, code: string) {
  expect(response?.status).toBe(status);
  expect(response?.headers["content-type"]).toStartWith("application/problem+json");
  const requestId = response?.headers["x-request-id"];
  expect(requestId).toBeTruthy();
  const problem = JSON.parse(response?.body ?? "") as Record<string, unknown>;
  expect(problem).toMatchObject({ status, code, request_id: requestId });
  return problem;
}

/** Request counts by status from /metrics, e.g. { "413": 3 }. */
async function countsByStatus(server: Server): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.running.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^http_requests_total\{[^}]*status="(\d+)"[^}]*\} (\d+)$/gm)) {
    const [, status = "", count = "0"] = match;
    counts[status] = (counts[status] ?? 0) + Number(count);
  }
  return counts;
}

const errorLines = (server: Server) =>
  server.logs.filter((line) => line.level === "error" || line.level === "fatal");

describe("bodies past BODY_LIMIT on a running server", () => {
  let server: Server;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.running.stop("test"));

  test("a chunked body that passes the limit gets an immediate 413 on any write path, before auth", async () => {
    const paths: [string, string][] = [
      ["POST", "/api/v1/tasks"],
      ["PUT", "/api/v1/tasks/1"],
      ["PATCH", "/api/v1/users/me"],
      ["DELETE", "/api/v1/tasks"],
      ["POST", "/api/v1/auth/signup"],
      ["POST", "/api/v1/no-such-route"],
    ];
    for (const [method, path] of paths) {
      const connection = await RawConnection.open(server.port);
      // No token: the size is refused before anyone asks who is sending.
      const { response, sent } = await streamUntilAnswered(
        connection,
        chunkedHead(method, path),
        4 * MiB,
      );
      const problem = expectProblemOnWire(response, 413, "payload_too_large");
      expect(problem.detail).toContain(String(LIMIT));
      expect(response?.headers.connection).toBe("close");
      // Answered as soon as the limit passed, not after the whole upload.
      expect(sent).toBeLessThan(LIMIT + 4 * 64 * 1024);
      expect(await connection.waitForClose()).toBe(true);
    }
  });

  test("a Content-Length over the limit is answered from the header alone, for any size", async () => {
    for (const length of [LIMIT + 1, 200 * MiB, 10 * 1024 * MiB, Number.MAX_SAFE_INTEGER]) {
      for (const method of ["POST", "GET"]) {
        const connection = await RawConnection.open(server.port);
        await connection.write(
          `${method} /api/v1/tasks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n{"title":`,
        );
        const response = await connection.waitForResponse();
        expectProblemOnWire(response, 413, "payload_too_large");
        expect(response?.headers.connection).toBe("close");
        expect(await connection.waitForClose()).toBe(true);
      }
    }
  });

  test("a body read to the end keeps the connection; one left unread closes it", async () => {
    const connection = await RawConnection.open(server.port);
    const body = JSON.stringify({ username: "x" });
    await connection.write(
      `POST /api/v1/auth/signup HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    const first = await connection.waitForResponse();
    expect(first?.status).toBe(422);
    expect(first?.headers.connection).not.toBe("close");
    expect(connection.isClosed).toBe(false);
    connection.destroy();

    // A body of the wrong type is refused before it is read: the connection cannot be reused.
    const unread = await RawConnection.open(server.port);
    await unread.write(
      `POST /api/v1/auth/signup HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nabc`,
    );
    const refused = await unread.waitForResponse();
    expectProblemOnWire(refused, 415, "unsupported_media_type");
    expect(refused?.headers.connection).toBe("close");
    expect(await unread.waitForClose()).toBe(true);
  });

  test("none of this was an error on our side", async () => {
    expect(errorLines(server)).toEqual([]);
    const counts = await countsByStatus(server);
    expect(Object.keys(counts).filter((status) => status.startsWith("5"))).toEqual([]);
    expect(counts["413"]).toBeGreaterThanOrEqual(14);
  });
});

describe("a rate-limited upload", () => {
  test("gets its 429 and the connection closes, so the unread body is never received", async () => {
    const server = await start({ RATE_LIMIT_MAX: "1" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 2; i++) {
        const connection = await RawConnection.open(server.port);
        const { response } = await streamUntilAnswered(
          connection,
          chunkedHead("POST", "/api/v1/tasks"),
          MiB,
        );
        statuses.push(response?.status ?? 0);
        if (response?.status === 429) {
          expect(response.headers.connection).toBe("close");
          expect(await connection.waitForClose()).toBe(true);
        }
        connection.destroy();
      }
      expect(statuses).toEqual([413, 429]);
      const started = performance.now();
      await server.running.stop("test");
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await server.running.stop("test");
    }
  });
});

describe("clients that hang up or break the framing", () => {
  test("are counted as 400 or not at all, never logged as errors or counted as 5xx", async () => {
    const server = await start();
    try {
      const aborts: [string, (connection: RawConnection) => Promise<void>][] = [
        [
          "hangs up mid chunked upload",
          async (connection) => {
            await connection.write(chunkedHead("POST", "/api/v1/auth/signup"));
            await connection.write(chunk(Buffer.from('{"username":')));
          },
        ],
        [
          "hangs up mid declared upload",
          async (connection) => {
            await connection.write(
              'POST /api/v1/auth/signup HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"username":',
            );
          },
        ],
        [
          "sends a chunk size that is not hexadecimal",
          async (connection) => {
            await connection.write(chunkedHead("POST", "/api/v1/auth/signup"));
            await connection.write(chunk(Buffer.from("{")));
            await connection.write("zz\r\nhello\r\n0\r\n\r\n");
          },
        ],
        [
          "sends more data than its chunk size",
          async (connection) => {
            await connection.write(chunkedHead("PATCH", "/api/v1/users/me"));
            await connection.write("2\r\n{}\r\n");
            await connection.write("2\r\nhello world\r\n0\r\n\r\n");
          },
        ],
      ];
      for (const [, act] of aborts) {
        const connection = await RawConnection.open(server.port);
        await act(connection);
        await Bun.sleep(20);
        connection.destroy();
      }
      await Bun.sleep(50);
      expect(errorLines(server)).toEqual([]);
      const counts = await countsByStatus(server);
      expect(Object.keys(counts).filter((status) => status.startsWith("5"))).toEqual([]);
      expect(counts["400"] ?? 0).toBeLessThanOrEqual(aborts.length);
      // The server is fine afterwards.
      expect((await fetch(`${server.running.url}/health`)).status).toBe(200);
    } finally {
      await server.running.stop("test");
    }
  });
});

describe("what a JSON body may be", () => {
  let server: Server;
  let token = "";
  const send = (
    method: string,
    path: string,
    body: string | Uint8Array,
    type = "application/json",
  ) =>
    fetch(`${server.running.url}${path}`, {
      method,
      body,
      headers: { "content-type": type, authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    server = await start();
    const values = userValues();
    await send("POST", "/api/v1/auth/signup", JSON.stringify(values));
    const login = await send(
      "POST",
      "/api/v1/auth/login",
      JSON.stringify({ email: values.email, password: values.password }),
    );
    token = ((await login.json()) as { access_token: string }).access_token;
  });
  afterAll(() => server.running.stop("test"));

  async function taskTitles(): Promise<string[]> {
    const response = await fetch(`${server.running.url}/api/v1/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { title: string }[]).map((task) => task.title);
  }

  test("invalid UTF-8 is 400 and nothing is stored; emoji and CJK arrive intact", async () => {
    const prefix = Buffer.from('{"title":"caf');
    const suffix = Buffer.from('"}');
    const broken = [
      Buffer.from([0xff]), // never valid
      Buffer.from([0xc3]), // a lead byte with no continuation
      Buffer.from([0xed, 0xa0, 0x80]), // an encoded UTF-16 surrogate
      Buffer.from([0xc0, 0xaf]), // an overlong "/"
    ];
    for (const bytes of broken) {
      const response = await send("POST", "/api/v1/tasks", Buffer.concat([prefix, bytes, suffix]));
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem).toMatchObject({
        code: "bad_request",
        detail: "The request body is not valid UTF-8",
      });
    }
    expect(await taskTitles()).toEqual([]);

    const title = "café 🚀 看板 ✔︎";
    const created = await send("POST", "/api/v1/tasks", Buffer.from(JSON.stringify({ title })));
    expect(created.status).toBe(201);
    expect(((await created.json()) as { title: string }).title).toBe(title);
    expect(await taskTitles()).toEqual([title]);
  });

  test("a declared body sent in pieces arrives whole, and the connection stays open", async () => {
    const title = `slow ${"🚀".repeat(20)} client`;
    const body = Buffer.from(JSON.stringify({ title, description: "d".repeat(3_000) }));
    const head = (length: number) =>
      `POST /api/v1/tasks HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    const connection = await RawConnection.open(server.port);
    try {
      await connection.write(head(body.byteLength));
      // Split inside a multi-byte character, with pauses: the server reads on until the length.
      for (const [start, end] of [
        [0, 11],
        [11, 500],
        [500, body.byteLength],
      ] as const) {
        await Bun.sleep(15);
        await connection.write(body.subarray(start, end));
      }
      const response = await connection.waitForResponse();
      expect(response?.status).toBe(201);
      expect(JSON.parse(response?.body ?? "{}")).toMatchObject({ title });
      expect(connection.isClosed).toBe(false);
    } finally {
      connection.destroy();
    }
    expect(await taskTitles()).toContain(title);
  });

  test("application/merge-patch+json and every application/*+json body is parsed as JSON", async () => {
    const created = await send(
      "POST",
      "/api/v1/tasks",
      JSON.stringify({ title: "vendor type", priority: 1 }),
      "application/vnd.kanbun+json; charset=utf-8",
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    for (const method of ["PATCH", "PUT"]) {
      const patched = await send(
        method,
        `/api/v1/tasks/${id}`,
        JSON.stringify({ title: `merged by ${method}`, due_date: null }),
        "application/merge-patch+json",
      );
      expect(patched.status).toBe(200);
      expect(((await patched.json()) as { title: string }).title).toBe(`merged by ${method}`);
    }
    // Media type names are case-insensitive.
    const shouted = await send(
      "PATCH",
      `/api/v1/tasks/${id}`,
      JSON.stringify({ priority: 3 }),
      "Application/JSON",
    );
    expect(((await shouted.json()) as { priority: number }).priority).toBe(3);
    // Broken JSON is 400 under any of these names, and still 422 when it is JSON of the wrong shape.
    for (const type of ["application/merge-patch+json", "application/json", "application/x+json"]) {
      const broken = await send("PATCH", `/api/v1/tasks/${id}`, '{"title":', type);
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { detail: string }).detail).toBe(
        "The request body is not valid JSON",
      );
      const wrong = await send("PATCH", `/api/v1/tasks/${id}`, '{"title":42}', type);
      expect(wrong.status).toBe(422);
    }
    // Other types are still refused.
    const xml = await send("PATCH", `/api/v1/tasks/${id}`, "<title/>", "application/xml");
    expect(xml.status).toBe(415);
    const titles = await taskTitles();
    expect(titles).toContain("merged by PUT");
    expect(titles).not.toContain("vendor type");
  });
  test("an empty chunked body is no body, as Content-Length: 0 is", async () => {
    const answer = async (head: string) => {
      const connection = await RawConnection.open(server.port);
      await connection.write(head);
      const response = await connection.waitForResponse();
      connection.destroy();
      return { status: response?.status, detail: JSON.parse(response?.body ?? "{}").detail };
    };
    const auth = { authorization: `Bearer ${token}` };
    // A route that requires a body, and one that takes none (the task does not exist).
    for (const [method, path] of [
      ["PATCH", "/api/v1/users/me"],
      ["DELETE", "/api/v1/tasks/999999"],
    ] as const) {
      const declared = await answer(
        `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${auth.authorization}\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n`,
      );
      const chunked = await answer(`${chunkedHead(method, path, auth)}0\r\n\r\n`);
      expect(chunked).toEqual(declared);
      expect(chunked.status).toBe(method === "PATCH" ? 422 : 404);
    }
  });

  test("a GET body is never read or parsed: the request is answered as if it had none", async () => {
    for (const [type, body] of [
      ["application/json", "{}"],
      ["application/json", '{"broken":'],
      ["text/plain", "hello"],
    ] as const) {
      for (const path of ["/health", "/api/v1/tasks"]) {
        const connection = await RawConnection.open(server.port);
        await connection.write(
          `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        );
        const response = await connection.waitForResponse();
        connection.destroy();
        expect(response?.status).toBe(200);
        expect(response?.headers["content-type"]).toStartWith("application/json");
      }
    }
  });
});

describe("200 over-limit chunked uploads to a server process", () => {
  const REPO_ROOT = resolve(import.meta.dir, "..");
  const UPLOADS = 200;
  const UPLOAD_BYTES = 1.3 * MiB;
  let folder = "";
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test("every one gets its 413, memory is released, and SIGTERM stops at once", async () => {
    folder = mkdtempSync(join(tmpdir(), "kanbun-wire-"));
    // Its own process, so that the memory measured is the server's alone.
    const child = Bun.spawn([process.execPath, join(REPO_ROOT, "src/main.ts"), "serve"], {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? "",
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_PATH: join(folder, "kanbun.db"),
        JWT_SECRET: TEST_SECRET,
        RATE_LIMIT_MAX: "0",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const lines: Record<string, unknown>[] = [];
    const output = (async () => {
      let pending = "";
      for await (const data of child.stdout) {
        pending += Buffer.from(data).toString("utf8");
        const complete = pending.split("\n");
        pending = complete.pop() ?? "";
        for (const line of complete) if (line.startsWith("{")) lines.push(JSON.parse(line));
      }
    })();
    try {
      const deadline = performance.now() + 10_000;
      while (!lines.some((line) => line.msg === "listening") && performance.now() < deadline)
        await Bun.sleep(5);
      const url = String(lines.find((line) => line.msg === "listening")?.url);
      const port = Number(new URL(url).port);
      const rss = async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1]);
      };
      const upload = async () => {
        const connection = await RawConnection.open(port);
        const { response } = await streamUntilAnswered(
          connection,
          chunkedHead("POST", "/api/v1/tasks"),
          UPLOAD_BYTES,
        );
        const closed = await connection.waitForClose();
        connection.destroy();
        return { response, closed };
      };

      // A few first, so that what is measured is growth, not the first allocations.
      for (let i = 0; i < 10; i++) await upload();
      const before = await rss();
      for (let i = 0; i < UPLOADS; i++) {
        const { response, closed } = await upload();
        expectProblemOnWire(response, 413, "payload_too_large");
        expect(closed).toBe(true);
      }
      const after = await rss();
      console.log(
        `RSS of the server: ${(before / MiB).toFixed(1)} MB before, ${(after / MiB).toFixed(1)} MB after ${UPLOADS} chunked uploads of ${UPLOAD_BYTES / MiB} MB past the default 1 MiB limit`,
      );
      // Kept bodies would add about 1.3 MB per upload (260 MB); garbage not yet collected is far less.
      expect(after - before).toBeLessThan((UPLOADS * UPLOAD_BYTES) / 4);

      const stopping = performance.now();
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      // No connection was left open for the shutdown grace period (10 s) to wait for.
      expect(performance.now() - stopping).toBeLessThan(3_000);
      await output;
      expect(lines.filter((line) => line.level === "error")).toEqual([]);
      expect(lines.some((line) => String(line.msg).includes("grace period"))).toBe(false);
      expect(lines.filter((line) => line.msg === "request" && line.status === 413)).toHaveLength(
        UPLOADS + 10,
      );
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);
});

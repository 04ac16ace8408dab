import { describe, expect, spyOn, test } from "bun:test";
import { join } from "node:path";
import { createBufferedSink, createLogger, flushLogs } from "../src/platform/logging";

const LOGGING = join(import.meta.dir, "../src/platform/logging.ts");

/** Runs a script that logs to the real stdout, and returns what reached it. */
async function stdoutOf(body: string): Promise<{ lines: Record<string, unknown>[]; code: number }> {
  const script = `import { createLogger } from ${JSON.stringify(LOGGING)};\nconst log = createLogger("info");\n${body}`;
  const proc = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return {
    lines: out
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
    code,
  };
}

describe("logger lines", () => {
  test("plain fields come out in order: time, level, msg, base fields, then call fields", () => {
    const lines: string[] = [];
    const log = createLogger("info", (line) => lines.push(line)).child({ request_id: "r-1" });
    log.info("request", { method: "GET", status: 200, duration_ms: 1.5, user_id: null });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? "{}");
    expect(Object.keys(parsed)).toEqual([
      "time",
      "level",
      "msg",
      "request_id",
      "method",
      "status",
      "duration_ms",
      "user_id",
    ]);
    expect(parsed).toMatchObject({ level: "info", msg: "request", status: 200, user_id: null });
    expect(Number.isNaN(Date.parse(parsed.time))).toBe(false);
  });

  test("errors and bigints are made readable wherever they sit", () => {
    const lines: string[] = [];
    const log = createLogger("info", (line) => lines.push(line));
    log.warn("nested", { job: { id: 1, cause: new RangeError("too far"), size: 2n } });
    log.warn("in base", {});
    const child = createLogger("info", (line) => lines.push(line), { boot: 10n });
    child.info("plain call, awkward base", { ok: true });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ job: { id: 1, cause: "RangeError: too far", size: "2" } }),
      expect.objectContaining({ msg: "in base" }),
      expect.objectContaining({ boot: "10", ok: true }),
    ]);
  });
});

describe("stdout", () => {
  test("every line reaches stdout, in order, when the process exits at once", async () => {
    const { lines, code } = await stdoutOf(
      `for (let i = 0; i < 3; i++) log.info("line", { i });\nprocess.exit(4);`,
    );
    expect(code).toBe(4);
    expect(lines.map((line) => line.i)).toEqual([0, 1, 2]);
  });

  test("lines reach stdout while the process keeps running, and past the batch size", async () => {
    const { lines, code } = await stdoutOf(
      `const filler = "x".repeat(1000);
       for (let i = 0; i < 200; i++) log.info("big", { i, filler });
       await new Promise((resolve) => setTimeout(resolve, 20));
       log.info("after a pause");
       setTimeout(() => {}, 20);`,
    );
    expect(code).toBe(0);
    expect(lines).toHaveLength(201);
    expect(lines.slice(0, 200).map((line) => line.i)).toEqual([...Array(200).keys()]);
    expect(lines[200]).toMatchObject({ msg: "after a pause" });
  });

  test("a crash does not swallow the lines logged before it", async () => {
    const { lines, code } = await stdoutOf(`log.error("about to fail");\nthrow new Error("boom");`);
    expect(code).not.toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: "error", msg: "about to fail" })]);
  });
});

describe("buffered sink", () => {
  const recorder = () => {
    const chunks: string[] = [];
    const now: string[] = [];
    const buffered = createBufferedSink(
      async (chunk) => {
        await Bun.sleep(1);
        chunks.push(chunk);
      },
      (chunk) => now.push(chunk),
    );
    return { chunks, now, buffered };
  };

  test("lines of one turn go out as one write, in order, and flush() waits for the write", async () => {
    const { chunks, buffered } = recorder();
    buffered.sink("a");
    buffered.sink("b");
    expect(chunks).toEqual([]);
    await buffered.flush();
    expect(chunks).toEqual(["a\nb\n"]);
  });

  test("a batch past 64 KiB is written without waiting for the turn to end", async () => {
    const { chunks, buffered } = recorder();
    buffered.sink("x".repeat(70 * 1024));
    buffered.sink("after");
    await buffered.flush();
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toBe("after\n");
  });

  test("flushSync writes what is pending at once, and never throws", async () => {
    const { chunks, now, buffered } = recorder();
    buffered.sink("pending");
    buffered.flushSync();
    expect(now).toEqual(["pending\n"]);
    buffered.flushSync();
    expect(now).toHaveLength(1);
    await buffered.flush();
    expect(chunks).toEqual([]);

    const broken = createBufferedSink(
      async () => undefined,
      () => {
        throw new Error("EPIPE");
      },
    );
    broken.sink("lost");
    expect(() => broken.flushSync()).not.toThrow();
  });

  test("a failed write does not stop later lines", async () => {
    const written: string[] = [];
    let fail = true;
    const flaky = createBufferedSink(
      async (chunk) => {
        if (fail) {
          fail = false;
          throw new Error("EAGAIN");
        }
        written.push(chunk);
      },
      () => undefined,
    );
    flaky.sink("first");
    await flaky.flush();
    flaky.sink("second");
    await flaky.flush();
    expect(written).toEqual(["second\n"]);
  });

  test("flushLogs resolves once the process's own stdout lines are out", async () => {
    const { lines } = await stdoutOf(
      `import { flushLogs } from ${JSON.stringify(LOGGING)};
       const filler = "y".repeat(200);
       for (let i = 0; i < 2000; i++) log.info("many", { i, filler });
       await flushLogs();
       process.exit(0);`,
    );
    expect(lines).toHaveLength(2000);
  });
});

test("the default logger writes through Bun.write to stdout, and flushLogs waits for it", async () => {
  const write = spyOn(Bun, "write").mockImplementation(async () => 0);
  try {
    createLogger("info").info("to stdout", { marker: "m-42" });
    await flushLogs();
    const call = write.mock.calls.find(([, data]) => String(data).includes("m-42"));
    expect(call?.[0] as unknown).toBe(Bun.stdout);
    expect(JSON.parse(String(call?.[1]).trim())).toMatchObject({
      msg: "to stdout",
      marker: "m-42",
    });
  } finally {
    write.mockRestore();
  }
});

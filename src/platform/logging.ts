import { writeSync } from "node:fs";
import type { LogLevel } from "./config";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

const FLUSH_BYTES = 64 * 1024;

export interface BufferedSink {
  sink: LogSink;
  /** Resolves once every line given so far has been written. */
  flush(): Promise<void>;
  /** Writes what is still pending synchronously: for the moment the process exits. */
  flushSync(): void;
}

/**
 * Gathers lines and writes them once per event-loop turn (or per 64 KiB): under load a write per
 * line cost as much as the rest of the access log. Writes are chained so they land in order, and
 * `flush()` waits for all of them.
 */
export function createBufferedSink(
  write: (chunk: string) => Promise<unknown>,
  writeNow: (chunk: string) => void,
): BufferedSink {
  let pending = "";
  let queued = false;
  let written: Promise<unknown> = Promise.resolve();
  const take = () => {
    queued = false;
    const chunk = pending;
    pending = "";
    return chunk;
  };
  const flushPending = () => {
    const chunk = take();
    if (chunk !== "") written = written.then(() => write(chunk)).catch(() => undefined);
  };
  return {
    sink(line) {
      pending += `${line}\n`;
      if (pending.length >= FLUSH_BYTES) flushPending();
      else if (!queued) {
        queued = true;
        setImmediate(flushPending);
      }
    },
    async flush() {
      flushPending();
      await written;
    },
    flushSync() {
      const chunk = take();
      if (chunk === "") return;
      try {
        writeNow(chunk);
      } catch {
        // stdout is gone (a closed pipe): there is nowhere left to write.
      }
    },
  };
}

// Bun.write resolves once the bytes are out; process.stdout.write does not, and Bun drops what
// is still queued for a pipe when the process exits. At an unplanned exit, pending lines are
// written synchronously, so only a SIGKILL loses any.
const stdout = createBufferedSink(
  (chunk) => Bun.write(Bun.stdout, chunk),
  (chunk) => writeSync(1, chunk),
);
let exitHooked = false;

const stdoutSink: LogSink = (line) => {
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", stdout.flushSync);
  }
  stdout.sink(line);
};

/** Resolves once every line logged to stdout so far is written. Call before a planned exit. */
export function flushLogs(): Promise<void> {
  return stdout.flush();
}

// A log call must never throw (JSON.stringify does on a bigint) nor lose an Error to "{}".
function safeValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value;
}

// Only objects and bigints need safeValue; a replacer function makes every stringify several
// times slower, so lines of plain values (the access log's) go without it.
function isPlain(fields: LogFields | undefined): boolean {
  for (const key in fields) {
    const value = fields[key];
    if ((typeof value === "object" && value !== null) || typeof value === "bigint") return false;
  }
  return true;
}

/** Structured JSON logger: one object per line, so any log shipper can parse it. */
export function createLogger(
  level: LogLevel,
  sink: LogSink = stdoutSink,
  base: LogFields = {},
): Logger {
  const threshold = RANK[level];
  const plainBase = isPlain(base);
  const write = (lineLevel: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (RANK[lineLevel] < threshold) return;
    const line = {
      time: new Date().toISOString(),
      level: lineLevel,
      msg: message,
      ...base,
      ...fields,
    };
    sink(plainBase && isPlain(fields) ? JSON.stringify(line) : JSON.stringify(line, safeValue));
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

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

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

// A log call must never throw (JSON.stringify does on a bigint) nor lose an Error to "{}".
function safeValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value;
}

/** Structured JSON logger: one object per line, so any log shipper can parse it. */
export function createLogger(
  level: LogLevel,
  sink: LogSink = stdoutSink,
  base: LogFields = {},
): Logger {
  const threshold = RANK[level];
  const write = (lineLevel: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (RANK[lineLevel] < threshold) return;
    sink(
      JSON.stringify(
        {
          time: new Date().toISOString(),
          level: lineLevel,
          msg: message,
          ...base,
          ...fields,
        },
        safeValue,
      ),
    );
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

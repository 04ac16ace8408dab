import { parsePostgresUrl } from "./db/postgres-url";

/**
 * The one place that reads the environment. Every variable of the API contract is parsed and
 * checked here; all problems are collected so an operator sees every bad value at once.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly nodeEnv: "production" | "development" | "test";
  readonly port: number;
  readonly host: string;
  readonly databasePath: string;
  /**
   * A PostgreSQL server (postgres:// or postgresql://) to use instead of the SQLite file at
   * `databasePath`; null when unset, which keeps the embedded SQLite database.
   */
  readonly databaseUrl: string | null;
  /** Most connections to PostgreSQL this process opens (DATABASE_POOL_MAX). */
  readonly databasePoolMax: number;
  /**
   * Null when unset. Only `serve` signs tokens, so only it needs a secret (and refuses to start
   * without one in production); in development it generates one and keeps it in the data folder.
   */
  readonly jwtSecret: string | null;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly appUrl: string;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean;
  readonly rateLimitMax: number;
  readonly authRateLimitMax: number;
  readonly authBanThreshold: number;
  readonly bodyLimitBytes: number;
  readonly logLevel: LogLevel;
  readonly requireEmailVerification: boolean;
  /** False closes public sign-up; admins then create accounts (CLI or admin API). */
  readonly allowSignup: boolean;
  /** How long the change feed keeps events for clients catching up (`since`). */
  readonly eventRetentionSeconds: number;
  /** Open WebSockets per user on one server. */
  readonly wsMaxPerUser: number;
  /**
   * Null when unset. Set: rate-limit counters, failure budgets and the realtime feed's wakes are
   * shared through this Redis server (several instances). It may hold a password: never log it.
   */
  readonly redisUrl: string | null;
  /**
   * How often each server purges expired rows and raises due-date reminders. Only ever shorter
   * than the default: tests of several servers use it to see their schedulers race.
   */
  readonly schedulerIntervalSeconds: number;
  /** Settings that work but are probably not what a production server wants; `serve` logs them. */
  readonly warnings: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

export const MIN_JWT_SECRET_LENGTH = 32;
export const MAX_BODY_LIMIT_BYTES = 100 * 1024 * 1024;
export const DEFAULT_SCHEDULER_INTERVAL_SECONDS = 300;

type Env = Record<string, string | undefined>;

// An IPv4 address or DNS name, or an IPv6 address (two colons at least): no spaces, schemes,
// ports or paths. Whether the machine can listen there is only known at start-up, where a
// failure names HOST too.
const HOST_SYNTAX =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$/;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
// Binary units, as Express/body-parser read them: "1mb" is the 1 MiB default, not 1,000,000.
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};

/** Reads the environment into a frozen Config, or throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | string): T => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const parsed = parse(raw);
    // Parsers of numbers and booleans answer a string only to say what is wrong.
    if (typeof parsed === "string") {
      problems.push(`${name}: ${parsed}`);
      return fallback;
    }
    return parsed as T;
  };
  // String-valued variables report problems through this instead of the return value.
  const readString = (name: string, fallback: string, check?: (raw: string) => string | null) => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const problem = check?.(raw);
    if (problem) problems.push(`${name}: ${problem}`);
    return raw;
  };

  const nodeEnv = readString("NODE_ENV", "development", (raw) =>
    ["production", "development", "test"].includes(raw)
      ? null
      : `must be production, development or test (got ${quote(raw)})`,
  ) as Config["nodeEnv"];
  const port = read("PORT", 3000, integerIn(0, 65535));
  const host = readString("HOST", "0.0.0.0", (raw) =>
    HOST_SYNTAX.test(raw)
      ? null
      : `must be an IP address or host name such as 0.0.0.0, 127.0.0.1 or :: (got ${quote(raw)})`,
  );
  const databasePath = readString("DATABASE_PATH", "./data/kanbun.db");
  const databaseUrl = readString("DATABASE_URL", "", (raw) => {
    try {
      parsePostgresUrl(raw);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  });
  const databasePoolMax = read("DATABASE_POOL_MAX", 10, integerIn(1, 1000));

  const jwtSecretRaw = env.JWT_SECRET?.trim() || null;
  if (jwtSecretRaw !== null && jwtSecretRaw.length < MIN_JWT_SECRET_LENGTH) {
    problems.push(`JWT_SECRET: must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }

  const accessTokenTtlSeconds = read("ACCESS_TOKEN_TTL", 900, durationSeconds(10, 86400));
  const refreshTokenTtlSeconds = read(
    "REFRESH_TOKEN_TTL",
    30 * 86400,
    durationSeconds(60, 365 * 86400),
  );
  const appUrlSet = Boolean(env.APP_URL?.trim());
  const appUrl = readString("APP_URL", `http://localhost:${port}`, (raw) =>
    isHttpUrl(raw) ? null : `must be an http(s) URL (got ${quote(raw)})`,
  ).replace(/\/+$/, "");
  const smtpUrlRaw = readString("SMTP_URL", "", (raw) =>
    /^smtps?:\/\/[^/\s]+/.test(raw) && URL.canParse(raw)
      ? null
      : "must look like smtp://user:pass@host:587 or smtps://…",
  );
  const mailFrom = readString("MAIL_FROM", "Kanbun <no-reply@localhost>", (raw) =>
    /@/.test(raw) ? null : `must be an email address (got ${quote(raw)})`,
  );
  const corsOriginsRaw = readString("CORS_ORIGINS", "", (raw) => {
    const bad = splitList(raw).filter((origin) => origin !== "*" && !isOrigin(origin));
    return bad.length
      ? `not an origin: ${bad.map(quote).join(", ")} (use e.g. https://app.example.com)`
      : null;
  });
  const trustProxy = read("TRUST_PROXY", false, boolean);
  const rateLimitMax = read("RATE_LIMIT_MAX", 300, integerIn(0, 1_000_000));
  const authRateLimitMax = read("AUTH_RATE_LIMIT_MAX", 10, integerIn(0, 1_000_000));
  const authBanThreshold = read("AUTH_BAN_THRESHOLD", 50, integerIn(0, 1_000_000));
  const bodyLimitBytes = read("BODY_LIMIT", 1024 * 1024, byteSize(1024, MAX_BODY_LIMIT_BYTES));
  const logLevel = readString("LOG_LEVEL", "info", (raw) =>
    (LOG_LEVELS as readonly string[]).includes(raw)
      ? null
      : `must be one of ${LOG_LEVELS.join(", ")}`,
  ) as LogLevel;
  const requireEmailVerification = read("REQUIRE_EMAIL_VERIFICATION", false, boolean);
  const allowSignup = read("ALLOW_SIGNUP", true, boolean);
  const eventRetentionSeconds = read(
    "EVENT_RETENTION",
    7 * 86400,
    durationSeconds(60, 365 * 86400),
  );
  const wsMaxPerUser = read("WS_MAX_PER_USER", 20, integerIn(1, 10_000));
  // The value is not echoed: it may carry a password.
  const redisUrlRaw = readString("REDIS_URL", "", (raw) =>
    isRedisUrl(raw) ? null : "must look like redis://[:password@]host:6379[/db] or rediss://…",
  );
  const schedulerIntervalSeconds = read(
    "SCHEDULER_INTERVAL",
    DEFAULT_SCHEDULER_INTERVAL_SECONDS,
    durationSeconds(1, DEFAULT_SCHEDULER_INTERVAL_SECONDS),
  );

  if (problems.length > 0) throw new ConfigError(problems);

  const warnings: string[] = [];
  if (nodeEnv === "production" && !appUrlSet) {
    warnings.push(
      `APP_URL is not set: links in emails point at ${appUrl}; set it to the server's public URL`,
    );
  }

  return Object.freeze({
    nodeEnv,
    port,
    host,
    databasePath,
    databaseUrl: databaseUrl || null,
    databasePoolMax,
    jwtSecret: jwtSecretRaw,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    appUrl,
    smtpUrl: smtpUrlRaw || null,
    mailFrom,
    corsOrigins: Object.freeze(splitList(corsOriginsRaw)),
    trustProxy,
    rateLimitMax,
    authRateLimitMax,
    authBanThreshold,
    bodyLimitBytes,
    logLevel,
    requireEmailVerification,
    allowSignup,
    eventRetentionSeconds,
    wsMaxPerUser,
    redisUrl: redisUrlRaw || null,
    schedulerIntervalSeconds,
    warnings: Object.freeze(warnings),
  });
}

/** The message `serve` gives when production has no signing secret. */
export const JWT_SECRET_REQUIRED = `JWT_SECRET: required when NODE_ENV=production (at least ${MIN_JWT_SECRET_LENGTH} characters; generate one with: openssl rand -base64 48)`;

function integerIn(min: number, max: number) {
  return (raw: string): number | string => {
    if (!/^\d+$/.test(raw)) return `must be a whole number (got ${quote(raw)})`;
    const value = Number(raw);
    return value >= min && value <= max
      ? value
      : `must be between ${min} and ${max} (got ${value})`;
  };
}

/** Accepts plain seconds ("900") or a number with a unit ("15m", "30d"). */
function durationSeconds(min: number, max: number) {
  return (raw: string): number | string => {
    const match = /^(\d+)\s*([smhd]?)$/i.exec(raw);
    if (!match) return `must be seconds or a duration like 15m, 12h, 30d (got ${quote(raw)})`;
    const unit = (match[2] || "s").toLowerCase();
    const seconds = Number(match[1]) * (DURATION_UNITS[unit] ?? 1);
    return seconds >= min && seconds <= max
      ? seconds
      : `must be between ${min}s and ${max}s (got ${seconds}s)`;
  };
}

/** Accepts bytes ("1048576") or a size with a unit ("512kb", "1MiB"). */
function byteSize(min: number, max: number) {
  return (raw: string): number | string => {
    const match = /^(\d+)\s*([a-z]*)$/i.exec(raw);
    const factor = match ? SIZE_UNITS[(match[2] || "b").toLowerCase()] : undefined;
    if (!match || factor === undefined)
      return `must be bytes or a size like 512kb, 1mb (got ${quote(raw)})`;
    const bytes = Number(match[1]) * factor;
    return bytes >= min && bytes <= max
      ? bytes
      : `must be between ${min} and ${max} bytes (got ${bytes})`;
  };
}

function boolean(raw: string): boolean | string {
  const value = raw.toLowerCase();
  if (["true", "1", "yes", "on"].includes(value)) return true;
  if (["false", "0", "no", "off"].includes(value)) return false;
  return `must be true or false (got ${quote(raw)})`;
}

/** Echoes a bad value on one line: a newline or control character in it is escaped. */
function quote(raw: string): string {
  return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
}

function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function isHttpUrl(raw: string): boolean {
  return /^https?:\/\//.test(raw) && URL.canParse(raw);
}

function isRedisUrl(raw: string): boolean {
  if (!/^rediss?:\/\/[^/\s]/.test(raw) || !URL.canParse(raw)) return false;
  const url = new URL(raw);
  return url.hostname !== "" && /^(\/\d*)?$/.test(url.pathname);
}

function isOrigin(raw: string): boolean {
  return isHttpUrl(raw) && new URL(raw).origin === raw;
}

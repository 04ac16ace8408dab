import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../src/platform/config";

const SECRET = "s".repeat(32);

/** The problems loadConfig reports for env, or a failure when it accepts it. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe("loadConfig defaults", () => {
  test("an empty environment gives every documented default", () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: "development",
      port: 3000,
      host: "0.0.0.0",
      databasePath: "./data/kanbun.db",
      databaseUrl: null,
      databasePoolMax: 10,
      jwtSecret: null,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 86400,
      appUrl: "http://localhost:3000",
      smtpUrl: null,
      mailFrom: "Kanbun <no-reply@localhost>",
      corsOrigins: [],
      trustProxy: false,
      rateLimitMax: 300,
      authRateLimitMax: 10,
      authBanThreshold: 50,
      bodyLimitBytes: 1024 * 1024,
      logLevel: "info",
      requireEmailVerification: false,
      allowSignup: true,
      eventRetentionSeconds: 7 * 86400,
      wsMaxPerUser: 20,
      redisUrl: null,
      schedulerIntervalSeconds: 300,
      warnings: [],
    });
  });

  test("empty and blank values count as unset", () => {
    const config = loadConfig({ PORT: "", HOST: "  ", LOG_LEVEL: "", JWT_SECRET: "   " });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.logLevel).toBe("info");
    expect(config.jwtSecret).toBeNull();
  });

  test("the result and its lists are frozen", () => {
    const config = loadConfig({ CORS_ORIGINS: "https://a.example" });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow();
    expect(() => (config.corsOrigins as string[]).push("https://b.example")).toThrow();
    expect(config.port).toBe(3000);
  });
});

describe("loadConfig parsing of good values", () => {
  test("every variable is read", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      PORT: "8080",
      HOST: "127.0.0.1",
      DATABASE_PATH: "/var/lib/kanbun/k.db",
      JWT_SECRET: ` ${SECRET} `,
      ACCESS_TOKEN_TTL: "15m",
      REFRESH_TOKEN_TTL: "30d",
      APP_URL: "https://tasks.example.com/",
      SMTP_URL: "smtp://user:pass@mail.example.com:587",
      MAIL_FROM: "Tasks <tasks@example.com>",
      CORS_ORIGINS: "https://a.example, http://localhost:5173",
      TRUST_PROXY: "true",
      RATE_LIMIT_MAX: "0",
      AUTH_RATE_LIMIT_MAX: "20",
      AUTH_BAN_THRESHOLD: "0",
      BODY_LIMIT: "512kb",
      LOG_LEVEL: "warn",
      REQUIRE_EMAIL_VERIFICATION: "yes",
      ALLOW_SIGNUP: "false",
      EVENT_RETENTION: "2d",
      WS_MAX_PER_USER: "5",
      REDIS_URL: "rediss://:s3cret@redis.internal:6380/2",
      SCHEDULER_INTERVAL: "2s",
    });
    expect(config).toEqual({
      nodeEnv: "production",
      port: 8080,
      host: "127.0.0.1",
      databasePath: "/var/lib/kanbun/k.db",
      databaseUrl: null,
      databasePoolMax: 10,
      jwtSecret: SECRET,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2592000,
      appUrl: "https://tasks.example.com",
      smtpUrl: "smtp://user:pass@mail.example.com:587",
      mailFrom: "Tasks <tasks@example.com>",
      corsOrigins: ["https://a.example", "http://localhost:5173"],
      trustProxy: true,
      rateLimitMax: 0,
      authRateLimitMax: 20,
      authBanThreshold: 0,
      bodyLimitBytes: 512 * 1024,
      logLevel: "warn",
      requireEmailVerification: true,
      allowSignup: false,
      eventRetentionSeconds: 2 * 86400,
      wsMaxPerUser: 5,
      redisUrl: "rediss://:s3cret@redis.internal:6380/2",
      schedulerIntervalSeconds: 2,
      warnings: [],
    });
  });

  test.each([
    ["900", 900],
    ["45s", 45],
    ["15m", 900],
    ["2h", 7200],
    ["1d", 86400],
  ])("ACCESS_TOKEN_TTL=%p is %p seconds", (raw, seconds) => {
    expect(loadConfig({ ACCESS_TOKEN_TTL: raw }).accessTokenTtlSeconds).toBe(seconds);
  });

  test.each([
    ["2048", 2048],
    ["2kb", 2048],
    ["512KB", 512 * 1024],
    ["1mb", 1024 * 1024],
    ["1MiB", 1024 * 1024],
    ["10m", 10 * 1024 * 1024],
  ])("BODY_LIMIT=%p is %p bytes", (raw, bytes) => {
    expect(loadConfig({ BODY_LIMIT: raw }).bodyLimitBytes).toBe(bytes);
  });

  test.each([
    ["true", true],
    ["1", true],
    ["ON", true],
    ["false", false],
    ["0", false],
    ["no", false],
  ])("TRUST_PROXY=%p is %p", (raw, value) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toBe(value);
  });

  test.each([
    "0.0.0.0",
    "127.0.0.1",
    "::",
    "::1",
    "fe80::1",
    "localhost",
    "kanbun.internal",
    "host-1.example.com",
  ])("HOST=%p is accepted", (host) => {
    expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  test("production without APP_URL loads with a warning naming it; with APP_URL, none", () => {
    const without = loadConfig({ NODE_ENV: "production", JWT_SECRET: SECRET });
    expect(without.warnings).toHaveLength(1);
    expect(without.warnings[0]).toStartWith("APP_URL is not set");
    expect(without.warnings[0]).toContain("http://localhost:3000");
    expect(Object.isFrozen(without.warnings)).toBe(true);
    const withUrl = loadConfig({
      NODE_ENV: "production",
      JWT_SECRET: SECRET,
      APP_URL: "https://tasks.example.com",
    });
    expect(withUrl.warnings).toEqual([]);
    // Development links to localhost on purpose.
    expect(loadConfig({}).warnings).toEqual([]);
  });

  test("a wildcard CORS origin is accepted", () => {
    expect(loadConfig({ CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
  });

  test("production accepts a long JWT_SECRET and smtps", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      JWT_SECRET: SECRET,
      SMTP_URL: "smtps://mail.example.com",
    });
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.smtpUrl).toBe("smtps://mail.example.com");
  });
});

describe("loadConfig rejects bad values with one line naming the variable", () => {
  const cases: [string, Record<string, string>][] = [
    ["PORT", { PORT: "abc" }],
    ["PORT", { PORT: "70000" }],
    ["PORT", { PORT: "-1" }],
    ["PORT", { PORT: "80.5" }],
    ["NODE_ENV", { NODE_ENV: "staging" }],
    ["JWT_SECRET", { JWT_SECRET: "short" }],
    ["JWT_SECRET", { JWT_SECRET: "x".repeat(31) }],
    ["HOST", { HOST: "not a host" }],
    ["HOST", { HOST: "http://example.com" }],
    ["HOST", { HOST: "127.0.0.1:3000" }],
    ["HOST", { HOST: "-bad.example" }],
    ["ALLOW_SIGNUP", { ALLOW_SIGNUP: "closed" }],
    ["EVENT_RETENTION", { EVENT_RETENTION: "10s" }],
    ["EVENT_RETENTION", { EVENT_RETENTION: "a week" }],
    ["WS_MAX_PER_USER", { WS_MAX_PER_USER: "0" }],
    ["WS_MAX_PER_USER", { WS_MAX_PER_USER: "-1" }],
    ["SCHEDULER_INTERVAL", { SCHEDULER_INTERVAL: "0" }],
    ["SCHEDULER_INTERVAL", { SCHEDULER_INTERVAL: "10m" }],
    ["SCHEDULER_INTERVAL", { SCHEDULER_INTERVAL: "soon" }],
    ["ACCESS_TOKEN_TTL", { ACCESS_TOKEN_TTL: "-1" }],
    ["ACCESS_TOKEN_TTL", { ACCESS_TOKEN_TTL: "15x" }],
    ["ACCESS_TOKEN_TTL", { ACCESS_TOKEN_TTL: "0" }],
    ["ACCESS_TOKEN_TTL", { ACCESS_TOKEN_TTL: "2d" }],
    ["REFRESH_TOKEN_TTL", { REFRESH_TOKEN_TTL: "forever" }],
    ["REFRESH_TOKEN_TTL", { REFRESH_TOKEN_TTL: "400d" }],
    ["BODY_LIMIT", { BODY_LIMIT: "lots" }],
    ["BODY_LIMIT", { BODY_LIMIT: "1.5mb" }],
    ["BODY_LIMIT", { BODY_LIMIT: "12" }],
    ["BODY_LIMIT", { BODY_LIMIT: "5gb" }],
    ["APP_URL", { APP_URL: "tasks.example.com" }],
    ["APP_URL", { APP_URL: "ftp://tasks.example.com" }],
    ["SMTP_URL", { SMTP_URL: "mail.example.com:587" }],
    ["SMTP_URL", { SMTP_URL: "http://mail.example.com" }],
    ["MAIL_FROM", { MAIL_FROM: "nobody" }],
    ["CORS_ORIGINS", { CORS_ORIGINS: "a.example" }],
    ["CORS_ORIGINS", { CORS_ORIGINS: "https://a.example/path" }],
    ["CORS_ORIGINS", { CORS_ORIGINS: "https://ok.example,ftp://b.example" }],
    ["TRUST_PROXY", { TRUST_PROXY: "maybe" }],
    ["REQUIRE_EMAIL_VERIFICATION", { REQUIRE_EMAIL_VERIFICATION: "2" }],
    ["RATE_LIMIT_MAX", { RATE_LIMIT_MAX: "many" }],
    ["AUTH_RATE_LIMIT_MAX", { AUTH_RATE_LIMIT_MAX: "-5" }],
    ["AUTH_BAN_THRESHOLD", { AUTH_BAN_THRESHOLD: "1e3" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["REDIS_URL", { REDIS_URL: "redis.internal:6379" }],
    ["REDIS_URL", { REDIS_URL: "http://redis.internal" }],
    ["REDIS_URL", { REDIS_URL: "redis://" }],
    ["REDIS_URL", { REDIS_URL: "redis://redis.internal/cache" }],
  ];

  const titled = cases.map(([name, env]) => [name, JSON.stringify(env), env] as const);
  test.each(titled)("%s: %s", (name, _title, env) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    const [line = ""] = problems;
    expect(line.startsWith(`${name}: `)).toBe(true);
    expect(line).not.toContain("\n");
    expect(line.length).toBeGreaterThan(name.length + 10);
  });

  test("REDIS_URL: a bad value is reported without repeating it (it may hold a password)", () => {
    const problems = problemsOf({ REDIS_URL: "redis://:hunter2-secret@redis internal:6379" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith("REDIS_URL: ");
    expect(problems[0]).not.toContain("hunter2");
  });

  test("REDIS_URL: redis and rediss, with a password, a port, a database number or IPv6", () => {
    for (const url of [
      "redis://127.0.0.1:6379",
      "redis://user:pass@redis.internal",
      "rediss://:pass@redis.internal:6380/3",
      "redis://[::1]:6379/0",
    ]) {
      expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
    }
  });

  test("several bad values are all reported, in one error", () => {
    const problems = problemsOf({
      PORT: "abc",
      LOG_LEVEL: "loud",
      BODY_LIMIT: "huge",
      TRUST_PROXY: "perhaps",
      APP_URL: "nope",
    });
    expect(problems.map((line) => line.split(":")[0])).toEqual([
      "PORT",
      "APP_URL",
      "TRUST_PROXY",
      "BODY_LIMIT",
      "LOG_LEVEL",
    ]);
  });

  test("the error message lists every problem", () => {
    try {
      loadConfig({ PORT: "abc", LOG_LEVEL: "loud" });
      throw new Error("not rejected");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as Error).message.split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toStartWith("PORT: ");
      expect(lines[1]).toStartWith("LOG_LEVEL: ");
      expect((error as Error).name).toBe("ConfigError");
    }
  });

  test("a value with a newline is echoed on one line", () => {
    const [line] = problemsOf({ PORT: "80\n80" });
    expect(line).toBe('PORT: must be a whole number (got "80\\n80")');
  });

  test("secrets are never echoed", () => {
    const secretish = "tooShortSecret";
    const [jwt] = problemsOf({ JWT_SECRET: secretish });
    expect(jwt).not.toContain(secretish);
    const [smtp] = problemsOf({ SMTP_URL: "mail:hunter2@host" });
    expect(smtp).not.toContain("hunter2");
  });

  test("production without JWT_SECRET loads: only serve signs tokens and asks for one", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: "  " }).jwtSecret).toBeNull();
  });
});

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Config, ConfigError, JWT_SECRET_REQUIRED, MIN_JWT_SECRET_LENGTH } from "./config";
import { IN_MEMORY } from "./db/client";
import type { Logger } from "./logging";

const SECRET_FILE = "jwt-secret";

/**
 * Returns the signing secret. Only `serve` signs tokens, so only it calls this: commands that
 * sign nothing never need JWT_SECRET and never leave a generated file beside a database.
 *
 * JWT_SECRET wins when set. Production refuses to start without it: a generated secret would
 * live in the data folder, where a copied volume or backup would carry the key along. In
 * development one is generated on first start and kept beside the database so that tokens
 * survive a restart.
 */
export function resolveJwtSecret(config: Config, log: Logger): string {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.nodeEnv === "production") throw new ConfigError([JWT_SECRET_REQUIRED]);
  const generated = () =>
    Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url");
  if (config.databasePath === IN_MEMORY) {
    log.warn("JWT_SECRET is not set; using a throw-away secret for this in-memory database");
    return generated();
  }
  const file = join(dirname(config.databasePath), SECRET_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= MIN_JWT_SECRET_LENGTH) return stored;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = generated();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  log.warn("JWT_SECRET is not set; generated one for development", { file });
  return secret;
}

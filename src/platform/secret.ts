import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Config, MIN_JWT_SECRET_LENGTH } from "./config";
import { IN_MEMORY } from "./db/client";
import type { Logger } from "./logging";

const SECRET_FILE = "jwt-secret";

/**
 * Returns the signing secret: JWT_SECRET when set; otherwise (development only, which config
 * already enforces) one generated on first start and kept beside the database so that tokens
 * survive a restart.
 */
export function resolveJwtSecret(config: Config, log: Logger): string {
  if (config.jwtSecret) return config.jwtSecret;
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
  mkdirSync(dirname(file), { recursive: true });
  const secret = generated();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  log.warn("JWT_SECRET is not set; generated one for development", { file });
  return secret;
}

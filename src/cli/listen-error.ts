import { type Config, ConfigError } from "../platform/config";

/**
 * Turns a failed listen into one line naming the variable to change: Bun reports a bad host as
 * "ENOENT … listen" or "EINVAL … listen", which names neither HOST nor the value.
 */
export function explainListenError(config: Config, error: unknown): Error {
  const code = String((error as { code?: unknown } | undefined)?.code ?? "");
  const where = `${config.host}:${config.port}`;
  if (code === "EADDRINUSE") {
    return new ConfigError([
      `PORT: ${config.port} is already in use on ${config.host} (another server is listening at ${where})`,
    ]);
  }
  if (code === "EACCES" || code === "EPERM") {
    return new ConfigError([
      `PORT: not allowed to listen on ${where} (ports below 1024 need privileges; use e.g. 3000 behind a reverse proxy)`,
    ]);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigError([
    `HOST: cannot listen on ${JSON.stringify(config.host)} (${reason}); use an address of this machine such as 0.0.0.0, 127.0.0.1 or ::`,
  ]);
}

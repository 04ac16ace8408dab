import { createStoreDeps, type DepsOverrides, type StoreDeps } from "../deps";
import type { Config } from "../platform/config";
import { migrateStore } from "../platform/db/store";
import { AppError } from "../platform/errors";
import { createLogger } from "../platform/logging";
import { CliError, type Output } from "./output";
import type { PasswordSource } from "./password-input";

/** What tests may swap in a command's dependencies: a cheap password hash, a fake stdin. */
export type CommandOverrides = Pick<DepsOverrides, "passwordCost"> & {
  /** Where a left-out --password is read from (standard input by default). */
  input?: PasswordSource;
};

/**
 * Runs a command against the database with only what account commands need: no signing key,
 * mailer, metrics or job worker. Pending migrations are applied first (with a safety copy, as
 * `serve` does), so `users create` works on a new installation before the first start.
 */
export async function withStore<T>(
  config: Config,
  out: Output,
  overrides: CommandOverrides,
  run: (deps: StoreDeps) => T | Promise<T>,
): Promise<T> {
  // Commands print their own result; only warnings and errors from below are worth showing.
  const quiet = config.logLevel === "error" || config.logLevel === "silent";
  const deps = await createStoreDeps(config, {
    passwordCost: overrides.passwordCost,
    log: createLogger(quiet ? config.logLevel : "warn"),
  });
  try {
    const { safetyCopy } = await migrateStore(deps);
    if (safetyCopy) out.info(`Copied the database to ${safetyCopy} before migrating it.`);
    return await run(deps);
  } catch (error) {
    if (error instanceof AppError) {
      const field = error.errors?.[0];
      throw new CliError(field ? `${field.path.slice(1)}: ${field.message}` : error.detail);
    }
    throw error;
  } finally {
    await deps.sql.close();
  }
}

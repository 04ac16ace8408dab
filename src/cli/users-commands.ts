import { Value } from "@sinclair/typebox/value";
import { eq } from "drizzle-orm";
import { createDeps, type Deps, type DepsOverrides } from "../deps";
import { cancelPasswordResets } from "../modules/auth/recovery";
import { NewPassword, SignupBody } from "../modules/auth/schema";
import { assertAcceptablePassword, findUserByLogin, signup } from "../modules/auth/service";
import { revokeSessions } from "../modules/auth/session-tokens";
import type { Config } from "../platform/config";
import { migrate } from "../platform/db/migrate";
import { ROLES, type Role, sessions, users } from "../platform/db/tables";
import { AppError } from "../platform/errors";
import { createLogger } from "../platform/logging";
import type { Mailer } from "../platform/mailer";
import { CliError, type Output } from "./output";

export interface CreateUserOptions {
  username?: string;
  email?: string;
  password?: string;
  role?: string;
}

/** What tests may swap in a command's dependencies (a cheap password hash). */
export type CommandOverrides = Pick<DepsOverrides, "passwordCost">;

export async function createUserCommand(
  config: Config,
  out: Output,
  options: CreateUserOptions,
  overrides: CommandOverrides = {},
): Promise<void> {
  const { username, email, password } = options;
  if (!username || !email || !password) {
    throw new CliError(
      "Usage: kanbun users create --username U --email E --password P [--role user|admin|superadmin]",
    );
  }
  const role = (options.role ?? "user") as Role;
  if (!ROLES.includes(role)) throw new CliError(`--role must be one of ${ROLES.join(", ")}`);
  const input = { username, email, password };
  const problem = Value.Errors(SignupBody, input).First();
  if (problem)
    throw new CliError(
      `${problem.path.slice(1) || "input"}: ${problem.schema.error ?? problem.message}`,
    );

  await withDeps(config, overrides, async (deps) => {
    // Accounts made by the operator are trusted: verified (so no verification email is queued),
    // and with the role asked for.
    const { user } = await signup({ deps }, input, { verified: true, role });
    out.info(`Created ${role} ${user.username} <${user.email}> (id ${user.id})`);
  });
}

export async function setPasswordCommand(
  config: Config,
  out: Output,
  options: { email?: string; password?: string },
  overrides: CommandOverrides = {},
): Promise<void> {
  const { email, password } = options;
  if (!email || !password)
    throw new CliError("Usage: kanbun users set-password --email E --password P");
  if (!Value.Check(NewPassword, password)) throw new CliError("password: Must be 8–128 characters");

  await withDeps(config, overrides, async (deps) => {
    assertAcceptablePassword(password);
    const user = findUserByLogin(deps.db, email.trim());
    if (!user || user.email !== email.trim().toLowerCase())
      throw new CliError(`No user with email ${email}`);
    const passwordHash = await deps.passwords.hash(password);
    const now = deps.clock.now();
    deps.db.transaction((tx) => {
      tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, user.id)).run();
      revokeSessions(tx, now, eq(sessions.userId, user.id));
      cancelPasswordResets(tx, user.id);
    });
    out.info(`Password changed for ${user.email}; their sessions have ended.`);
  });
}

// Commands only enqueue mail, which the server's job worker sends; so they need no mailer (and
// no warning on every run that SMTP_URL is unset).
const NO_MAILER: Mailer = {
  send: () => Promise.reject(new Error("Commands do not send mail")),
  close() {},
};

async function withDeps(
  config: Config,
  overrides: CommandOverrides,
  run: (deps: Deps) => Promise<void>,
): Promise<void> {
  // Commands print their own result; only warnings and errors from below are worth showing.
  const quiet = config.logLevel === "error" || config.logLevel === "silent";
  const deps = await createDeps(config, {
    ...overrides,
    log: createLogger(quiet ? config.logLevel : "warn"),
    mailer: NO_MAILER,
  });
  try {
    migrate(deps.sqlite);
    await run(deps);
  } catch (error) {
    if (error instanceof AppError) {
      const field = error.errors?.[0];
      throw new CliError(field ? `${field.path.slice(1)}: ${field.message}` : error.detail);
    }
    throw error;
  } finally {
    deps.sqlite.close(false);
  }
}

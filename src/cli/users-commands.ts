import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { cancelPasswordResets } from "../modules/auth/recovery";
import { Email, NewPassword, Username } from "../modules/auth/schema";
import { assertAcceptablePassword, createAccount } from "../modules/auth/service";
import { revokeSessions } from "../modules/auth/session-tokens";
import { raisePasswordChangedNotice } from "../modules/notifications/raise";
import { selectUserByLogin, updateUserRow } from "../modules/users/rows";
import type { Config } from "../platform/config";
import type { Sql } from "../platform/db/sql";
import { ROLES, type Role } from "../platform/db/tables";
import { type CommandOverrides, withStore } from "./command-store";
import { CliError, type Output } from "./output";
import { readPassword } from "./password-input";

export interface UserOptions {
  username?: string;
  email?: string;
  password?: string;
  role?: string;
}

export const CREATE_USAGE =
  "Usage: kanbun users create --username U --email E [--password P] [--role user|admin|superadmin]";
export const SET_PASSWORD_USAGE = "Usage: kanbun users set-password --email E [--password P]";

export async function createUserCommand(
  config: Config,
  out: Output,
  options: UserOptions,
  overrides: CommandOverrides = {},
): Promise<void> {
  const { username, email } = options;
  if (!username || !email) throw new CliError(CREATE_USAGE);
  const role = parseRole(options.role ?? "user");
  // Everything but the password is checked before anyone is asked to type one.
  checkField("username", Username, username);
  checkField("email", Email, email);
  const password = options.password ?? (await passwordFromInput(out, overrides));
  checkField("password", NewPassword, password);

  await withStore(config, out, overrides, async (deps) => {
    // Accounts made by the operator are trusted: verified (so no verification email is queued),
    // and with the role asked for.
    const user = await createAccount(deps, { username, email, password }, { verified: true, role });
    out.info(`Created ${role} ${user.username} <${user.email}> (id ${user.id})`);
  });
}

export async function setPasswordCommand(
  config: Config,
  out: Output,
  options: UserOptions,
  overrides: CommandOverrides = {},
): Promise<void> {
  const { email } = options;
  if (!email) throw new CliError(SET_PASSWORD_USAGE);
  const password = options.password ?? (await passwordFromInput(out, overrides));
  checkField("password", NewPassword, password);

  await withStore(config, out, overrides, async (deps) => {
    assertAcceptablePassword(password);
    const user = await findUserByEmail(deps.sql, email);
    const passwordHash = await deps.passwords.hash(password);
    const now = deps.clock.now();
    await deps.sql.transaction(async () => {
      await updateUserRow(deps.sql, user.id, { passwordHash, updatedAt: now });
      await revokeSessions(deps.sql, now, { userId: user.id });
      await cancelPasswordResets(deps.sql, user.id);
      await raisePasswordChangedNotice(deps, now, user.id);
    });
    out.info(`Password changed for ${user.email}; their sessions have ended.`);
  });
}

/** The account with exactly this email address (any case); a username does not count. */
export async function findUserByEmail(sql: Sql, email: string) {
  const user = await selectUserByLogin(sql, email.trim());
  if (!user || user.email !== email.trim().toLowerCase()) {
    throw new CliError(`No user with email ${email}`);
  }
  return user;
}

export function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new CliError(`--role must be one of ${ROLES.join(", ")}`);
  }
  return value as Role;
}

function passwordFromInput(out: Output, overrides: CommandOverrides) {
  return readPassword(overrides.input ?? process.stdin, out);
}

/** The request schemas' rules, with their messages, for values given on the command line. */
function checkField(name: string, schema: TSchema, value: string): void {
  if (!Value.Check(schema, value)) throw new CliError(`${name}: ${schema.error}`);
}

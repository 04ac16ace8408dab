import { assertKeepsASuperadmin } from "../modules/users/last-superadmin";
import { selectUsersPage, updateUserRow } from "../modules/users/rows";
import { toIso } from "../platform/clock";
import type { Config } from "../platform/config";
import { type CommandOverrides, withStore } from "./command-store";
import { CliError, type Output } from "./output";
import { findUserByEmail, parseRole, type UserOptions } from "./users-commands";

export const SET_ROLE_USAGE = "Usage: kanbun users set-role --email E --role user|admin|superadmin";

const COLUMNS = ["ID", "USERNAME", "EMAIL", "ROLE", "ACTIVE", "VERIFIED", "CREATED"] as const;

/** Every account as an aligned table, oldest first. */
export async function listUsersCommand(
  config: Config,
  out: Output,
  overrides: CommandOverrides = {},
): Promise<void> {
  await withStore(config, out, overrides, async (deps) => {
    const { rows } = await selectUsersPage(deps.sql, undefined, Number.MAX_SAFE_INTEGER, 0);
    if (rows.length === 0) {
      out.info("No users yet: create one with kanbun users create");
      return;
    }
    const table = rows.map((user) => [
      String(user.id),
      user.username,
      user.email,
      user.role,
      user.isActive ? "yes" : "no",
      user.emailVerified ? "yes" : "no",
      toIso(user.createdAt),
    ]);
    for (const line of alignColumns([[...COLUMNS], ...table])) out.info(line);
  });
}

/**
 * Changes an account's role. Takes effect on the user's next request (roles are read with the
 * session). The last active superadmin keeps the role, as in the admin API.
 */
export async function setRoleCommand(
  config: Config,
  out: Output,
  options: UserOptions,
  overrides: CommandOverrides = {},
): Promise<void> {
  if (!options.email || !options.role) throw new CliError(SET_ROLE_USAGE);
  const { email } = options;
  const role = parseRole(options.role);
  await withStore(config, out, overrides, async (deps) => {
    const before = await deps.sql.transaction(async () => {
      const user = await findUserByEmail(deps.sql, email);
      if (user.role === role) return user;
      await assertKeepsASuperadmin(deps.sql, user, { role, isActive: user.isActive });
      await updateUserRow(deps.sql, user.id, { role, updatedAt: deps.clock.now() });
      return user;
    });
    out.info(
      before.role === role
        ? `${before.email} is already ${role}; nothing changed.`
        : `${before.email} is now ${role} (was ${before.role}).`,
    );
  });
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

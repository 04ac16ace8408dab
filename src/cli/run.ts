import { parseArgs } from "node:util";
import { type Config, ConfigError, loadConfig } from "../platform/config";
import { VERSION } from "../version";
import type { CommandOverrides } from "./command-store";
import { backupCommand, migrateCommand } from "./database-commands";
import { HELP } from "./help";
import { MIGRATE_TO_POSTGRES_USAGE, migrateToPostgresCommand } from "./migrate-to-postgres";
import { CliError, type Output } from "./output";
import { RESTORE_USAGE, restoreCommand } from "./restore-command";
import { serve } from "./serve";
import { listUsersCommand, setRoleCommand } from "./users-admin-commands";
import { createUserCommand, setPasswordCommand, type UserOptions } from "./users-commands";

/** What `runCli` resolves to: an exit code, or SERVING while the server keeps the process alive. */
export const SERVING = "serving";

const USERS_USAGE = "Usage: kanbun users create|set-password|list|set-role … (see kanbun --help)";

/** Parses argv and runs one command. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: Output,
  overrides: CommandOverrides = {},
): Promise<number | typeof SERVING> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        username: { type: "string" },
        email: { type: "string" },
        password: { type: "string" },
        role: { type: "string" },
        to: { type: "string" },
      },
    });
    const [command = "serve", sub, ...rest] = positionals;
    if (values.help || command === "help") return print(out, HELP);
    if (values.version || command === "version") return print(out, VERSION);

    const config = loadConfig(env);
    switch (command) {
      case "serve":
        await serve(config);
        return SERVING;
      case "migrate":
        await migrateCommand(config, out);
        return 0;
      case "migrate-to-postgres":
        if (sub !== undefined) throw new CliError(MIGRATE_TO_POSTGRES_USAGE);
        await migrateToPostgresCommand(config, out, {
          to: values.to,
          databaseUrl: config.databaseUrl ?? undefined,
        });
        return 0;
      case "backup":
        if (rest.length > 0) throw new CliError("Usage: kanbun backup FILE");
        backupCommand(config, out, sub);
        return 0;
      case "restore":
        if (rest.length > 0) throw new CliError(RESTORE_USAGE);
        await restoreCommand(config, out, sub);
        return 0;
      case "users":
        if (rest.length > 0) throw new CliError(USERS_USAGE);
        await runUsersCommand(sub, config, out, values, overrides);
        return 0;
      default:
        throw new CliError(`Unknown command "${command}"; see kanbun --help`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) out.error(`kanbun: invalid configuration: ${problem}`);
      return 1;
    }
    if (
      error instanceof CliError ||
      (error instanceof TypeError &&
        "code" in error &&
        String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      out.error(`kanbun: ${error.message}`);
      return 1;
    }
    // Anything else (an unreadable database file, a port in use) is still one line for the
    // operator, never a stack trace; the first line of the message carries the cause.
    const message = error instanceof Error ? error.message : String(error);
    out.error(`kanbun: ${message.split("\n")[0] || "unexpected error"}`);
    return 1;
  }
}

function runUsersCommand(
  sub: string | undefined,
  config: Config,
  out: Output,
  options: UserOptions,
  overrides: CommandOverrides,
): Promise<void> {
  switch (sub) {
    case "create":
      return createUserCommand(config, out, options, overrides);
    case "set-password":
      return setPasswordCommand(config, out, options, overrides);
    case "set-role":
      return setRoleCommand(config, out, options, overrides);
    case "list":
      return listUsersCommand(config, out, overrides);
    default:
      throw new CliError(USERS_USAGE);
  }
}

function print(out: Output, text: string): number {
  out.info(text);
  return 0;
}

/** Where CLI commands write; swapped for a buffer in tests. */
export interface Output {
  info(line: string): void;
  error(line: string): void;
  /** A question for the person at the terminal: no newline, and never on standard output. */
  prompt(text: string): void;
}

export const consoleOutput: Output = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  prompt: (text) => process.stderr.write(text),
};

/** A user-facing failure: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  override name = "CliError";
}

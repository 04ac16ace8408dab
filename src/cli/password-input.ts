import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError, type Output } from "./output";

/** Standard input, or a stand-in: a terminal when `isTTY` is true. */
export type PasswordSource = NodeJS.ReadableStream & { isTTY?: boolean };

// readline echoes what is typed through its output stream; a stream that drops everything
// hides the password while readline still handles backspace, Ctrl-U and Ctrl-C.
const SILENT = new Writable({
  write(_chunk, _encoding, done) {
    done();
  },
});

/**
 * Reads a new password given on standard input, so it never appears in the process list or the
 * shell history. On a terminal it prompts twice without echo; otherwise it reads the first
 * line, so `printf '%s\n' "$PASSWORD" | kanbun users create …` works.
 */
export async function readPassword(source: PasswordSource, out: Output): Promise<string> {
  const terminal = source.isTTY === true;
  const lines = readLines(source, terminal);
  try {
    const ask = async (question: string) => {
      if (terminal) out.prompt(question);
      const line = await lines.next();
      if (terminal) out.prompt("\n");
      return line;
    };
    const password = await ask("Password: ");
    if (password === null) {
      throw new CliError(
        "No password given: type it, pipe it on standard input, or use --password",
      );
    }
    if (terminal && (await ask("Repeat the password: ")) !== password) {
      throw new CliError("The passwords do not match");
    }
    return password;
  } finally {
    lines.close();
  }
}

/** Lines from the source, one at a time; null once it ends. Ctrl-C on a terminal cancels. */
function readLines(source: PasswordSource, terminal: boolean) {
  const reader = createInterface({ input: source, output: SILENT, terminal });
  const waiting: ((item: string | Error | null) => void)[] = [];
  const buffered: (string | Error)[] = [];
  let ended = false;
  const deliver = (item: string | Error) => {
    const next = waiting.shift();
    if (next) next(item);
    else buffered.push(item);
  };
  reader.on("line", deliver);
  reader.on("SIGINT", () => deliver(new CliError("Cancelled")));
  reader.on("close", () => {
    ended = true;
    for (const next of waiting.splice(0)) next(null);
  });
  return {
    async next(): Promise<string | null> {
      const item =
        buffered.shift() ??
        (ended
          ? null
          : await new Promise<string | Error | null>((resolve) => waiting.push(resolve)));
      if (item instanceof Error) throw item;
      return item;
    },
    close: () => reader.close(),
  };
}

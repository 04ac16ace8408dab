import { consoleOutput } from "./cli/output";
import { runCli } from "./cli/run";

const code = await runCli(process.argv.slice(2), process.env, consoleOutput);
// `serve` returns 0 while its server keeps the process alive; other commands are done.
if (code !== 0) process.exit(code);
const command = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
if (command !== undefined && command !== "serve") process.exit(0);

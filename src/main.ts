import { consoleOutput } from "./cli/output";
import { runCli, SERVING } from "./cli/run";
import { flushLogs } from "./platform/logging";

const result = await runCli(process.argv.slice(2), process.env, consoleOutput);
if (result !== SERVING) {
  await flushLogs();
  process.exit(result);
}

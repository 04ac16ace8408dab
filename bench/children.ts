import type { Subprocess } from "bun";

/**
 * Every process the benchmark starts (servers, load generators), so that an interrupted or
 * failed run stops them by their own pid instead of leaving servers behind.
 */

const live = new Set<Subprocess>();

export function trackChild<T extends Subprocess>(proc: T): T {
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  return proc;
}

/** SIGTERM, then SIGKILL if the process has not gone within the grace period. */
export async function stopChild(proc: Subprocess, graceMs = 5000): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGTERM");
    const exited = await Promise.race([
      proc.exited.then(() => true),
      Bun.sleep(graceMs).then(() => false),
    ]);
    if (!exited) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  live.delete(proc);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((proc) => stopChild(proc)));
}

/**
 * On Ctrl-C or SIGTERM: stop what was started, undo what `cleanUp` undoes (databases made on a
 * server), then leave with the usual status.
 */
export function stopChildrenOnSignal(cleanUp: () => Promise<void> = async () => {}): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stopAllChildren()
        .then(cleanUp)
        .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
}

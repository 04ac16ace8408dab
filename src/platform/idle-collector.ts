/**
 * Collects garbage once the server goes quiet after serving. A burst of requests or socket
 * handshakes leaves garbage that JavaScriptCore collects only under allocation pressure, so a
 * server that then sits idle (a thousand sockets open, say) keeps the memory of its last burst
 * indefinitely. One full collection when requests stop costs a few milliseconds, at a moment
 * nothing is waiting.
 */
export function startIdleCollector(answered: () => number, intervalMs = 2000): () => void {
  const check = idleCheck(answered, () => Bun.gc(true));
  const timer = setInterval(check, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * One look per interval: `collect` runs at the first look that finds no request answered since
 * the previous one, after some were; then not again until the next burst.
 */
export function idleCheck(answered: () => number, collect: () => void): () => void {
  let seen = answered();
  let servedSinceCollection = false;
  return () => {
    const now = answered();
    if (now !== seen) {
      seen = now;
      servedSinceCollection = true;
    } else if (servedSinceCollection) {
      servedSinceCollection = false;
      collect();
    }
  };
}

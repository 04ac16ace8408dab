import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * Proof that a pid is the server itself: the process whose CPU time is sampled must hold the
 * socket listening on the benchmarked port, not be a shell or launcher that started the server
 * (whose own CPU time would be near zero and make any server look free).
 */
export function assertListensOn(pid: number, port: number): void {
  const sockets = listeningSockets(port);
  if (sockets.size === 0) throw new Error(`Nothing listens on TCP port ${port}`);
  if (!openSockets(pid).some((link) => sockets.has(link))) {
    throw new Error(
      `Process ${pid} (${commandName(pid)}) does not hold the socket on port ${port}`,
    );
  }
}

/** "socket:[inode]" of every socket in the LISTEN state on the port (IPv4 and IPv6). */
function listeningSockets(port: number): Set<string> {
  const LISTEN = "0A";
  const found = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue; // No IPv6 on this machine.
    }
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    for (const line of text.split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      const localPort = Number.parseInt(columns[1]?.split(":")[1] ?? "", 16);
      if (localPort === port && columns[3] === LISTEN) found.add(`socket:[${columns[9]}]`);
    }
  }
  return found;
}

function openSockets(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).flatMap((fd) => {
    try {
      return [readlinkSync(`${dir}/${fd}`)];
    } catch {
      return []; // Closed between the listing and the read.
    }
  });
}

function commandName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
}

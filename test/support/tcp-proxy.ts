import type { Socket } from "bun";

/**
 * A TCP relay in front of a server (Redis, here) that a test can take down (closing every connection through it
 * and refusing new ones) and bring back on the same port.
 */
export function startProxy(target: URL) {
  type Pipe = { upstream?: Socket<Pipe>; pending: Uint8Array[] };
  const open = new Set<Socket<Pipe>>();
  const listen = (port: number) =>
    Bun.listen<Pipe>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          open.add(client);
          client.data = { pending: [] };
          Bun.connect<Pipe>({
            hostname: target.hostname,
            port: Number(target.port),
            socket: {
              open(upstream) {
                upstream.data = { upstream: client, pending: [] };
                client.data.upstream = upstream;
                for (const chunk of client.data.pending) upstream.write(chunk);
                open.add(upstream);
              },
              data(upstream, chunk) {
                upstream.data.upstream?.write(chunk);
              },
              close(upstream) {
                upstream.data.upstream?.end();
              },
            },
          });
        },
        data(client, chunk) {
          if (client.data.upstream) client.data.upstream.write(chunk);
          else client.data.pending.push(new Uint8Array(chunk));
        },
        close(client) {
          client.data.upstream?.end();
        },
      },
    });
  let server: ReturnType<typeof listen> | null = listen(0);
  const port = server.port;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    stop() {
      server?.stop(true);
      server = null;
      for (const socket of open) socket.end();
      open.clear();
    },
    restart() {
      server = listen(port);
    },
  };
}

import net from 'node:net';

/**
 * A TCP proxy that can cut a dependency off and bring it back, to prove the services ride out a
 * PostgreSQL or Redis restart without restarting themselves. `cut()` resets every open
 * connection and refuses new ones (as a restarting server does); `restore()` accepts again on the
 * same port. It only ever connects to the target it was given (a loopback service).
 */
export interface FaultProxy {
  readonly port: number;
  /** The target URL rewritten to go through the proxy. */
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || (target.protocol.startsWith('redis') ? 6379 : 5432));
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, target.hostname);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const port = await listen(0);
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  let listening = true;
  return {
    port,
    url: url.toString(),
    async cut() {
      if (!listening) return;
      listening = false;
      const closed = stopListening();
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
    async restore() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (listening) await stopListening();
      listening = false;
    },
  };
}

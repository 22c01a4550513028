import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy of the test's own between the service and PostgreSQL, to make the faults an operator
 * meets: a restart (every connection reset, new ones refused) and a partition (nothing gets
 * through either way, connections stay open, bytes wait as TCP would hold them).
 */
export interface TcpProxy {
  port: number;
  /** postgres:// URL of the target, pointed at the proxy. */
  url(targetUrl: string): string;
  /** Resets every connection and refuses new ones (the server went down). */
  cut(): Promise<void>;
  /** Holds every byte in both directions, on open and new connections alike. */
  partition(): void;
  /** Forwards again (held bytes first), accepting new connections. */
  heal(): Promise<void>;
  /** Connections made through the proxy since it started. */
  connections: number;
  /**
   * Round trips the clients asked of PostgreSQL: each Sync (extended query protocol, one per
   * parameterised statement) or Query (simple protocol) message they sent — PostgreSQL protocol
   * §55.2.3: the server answers each with ReadyForQuery, so each is one wait for the network.
   */
  roundTrips: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; held: { toUpstream: Buffer[]; toClient: Buffer[] } }>();
  let partitioned = false;
  let server: Server;
  let port = 0;

  function accept(client: Socket) {
    proxy.connections += 1;
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream, held: { toUpstream: [] as Buffer[], toClient: [] as Buffer[] } };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    const count = frontendMessageCounter(() => (proxy.roundTrips += 1));
    client.on('data', (data: Buffer) => {
      count(data);
      if (partitioned) pair.held.toUpstream.push(data);
      else upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => (partitioned ? pair.held.toClient.push(data) : client.write(data)));
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  function listen(): Promise<void> {
    server = createServer(accept);
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  const proxy: TcpProxy = {
    port: 0,
    connections: 0,
    roundTrips: 0,
    url(targetUrl) {
      const url = new URL(targetUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const pair of pairs) {
          pair.client.resetAndDestroy();
          pair.upstream.destroy();
        }
        pairs.clear();
      });
    },
    partition() {
      partitioned = true;
    },
    async heal() {
      partitioned = false;
      for (const pair of pairs) {
        for (const data of pair.held.toUpstream.splice(0)) pair.upstream.write(data);
        for (const data of pair.held.toClient.splice(0)) pair.client.write(data);
      }
      if (!server.listening) await listen();
    },
    async close() {
      await proxy.cut();
    },
  };
  await listen();
  proxy.port = port;
  return proxy;
}

/**
 * Reads the frontend's messages out of its byte stream (PostgreSQL protocol §55.7): first the
 * untyped startup packet (or SSLRequest), then `type byte, int32 length, body`; calls `onRoundTrip`
 * for each Sync ('S') and Query ('Q').
 */
function frontendMessageCounter(onRoundTrip: () => void) {
  let pending = Buffer.alloc(0);
  let started = false;
  return (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (!started) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        // An SSLRequest (80877103) is answered with one byte, then the real startup packet follows.
        started = pending.readInt32BE(4) !== 80877103;
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      const type = String.fromCharCode(pending[0]!);
      if (type === 'S' || type === 'Q') onRoundTrip();
      pending = pending.subarray(1 + length);
    }
  };
}

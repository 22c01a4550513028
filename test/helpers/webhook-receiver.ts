import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  path: string;
}

/** What the receiver does with one request: a status (and body), or `hang` (takes it, never answers). */
export type Answer = number | { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'endless';

/**
 * A real HTTP receiver on 127.0.0.1 (tests run with TWOFOLD_WEBHOOKS_ALLOW_PRIVATE on): it records
 * every request and answers from a script, one answer per request, then `fallback`.
 */
export async function startReceiver(fallback: Answer = 200) {
  const received: ReceivedWebhook[] = [];
  const script: Answer[] = [];
  const hanging = new Set<http.ServerResponse>();
  const waiters: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
        path: request.url ?? '/',
      });
      for (const wake of waiters.splice(0)) wake();
      const answer = script.shift() ?? fallback;
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      if (answer === 'endless') {
        // An answer that never ends: 500 and then bytes for as long as the client reads.
        response.writeHead(500, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pump = () => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once('drain', pump);
        };
        response.on('error', () => undefined);
        pump();
        return;
      }
      const { status, headers, body } = typeof answer === 'number' ? { status: answer } : answer;
      response.writeHead(status, headers ?? {});
      response.end(body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Answers for the next requests, in order. */
    answer: (...answers: Answer[]) => script.push(...answers),
    /** Resolves once `count` requests in all have arrived. */
    async waitFor(count: number) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

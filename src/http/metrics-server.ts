import { createServer, type Server } from 'node:http';
import type { Metrics } from '../domain/metrics/metrics.js';

/**
 * Prometheus metrics on a listener of their own (TWOFOLD_METRICS_ADDRESS), never on the public
 * port: `GET /metrics` answers the text exposition, anything else 404. No personal data is in them
 * (labels are route templates, statuses, event types and states), and nothing here changes state.
 */
export async function startMetricsServer(metrics: Metrics, address: { host: string; port: number }): Promise<Server> {
  metrics.withProcessMetrics();
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    metrics.text().then(
      ({ contentType, body }) =>
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  return server;
}

import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Services } from './services.js';
import { buildApp } from './app.js';
import { startMetricsServer } from './metrics-server.js';

/**
 * Builds the app on the services the composition root made, starts the mail worker and the
 * housekeeping, and listens (the fastify Testing guide's app/server split: buildApp never listens).
 * Returns the app and `shutdown`, which the CLI calls on SIGTERM/SIGINT.
 */
export async function startServer(input: {
  config: Readonly<Config>;
  services: Services;
  logger: Logger;
  flush: () => void;
  closeRuntime: () => Promise<void>;
}) {
  const { config, services, logger } = input;
  const app = await buildApp({ config, services, loggerInstance: logger });
  services.delivery.start();
  services.webhooks.worker.start();
  services.housekeeping.start();
  services.recoveryScheduler.start();
  services.apiTokens.reminders.start();
  if (config.dev) {
    logger.warn(
      'DEV MODE (TWOFOLD_DEV=1): every queued e-mail and SMS, with their codes, is readable by anyone at /dev/outbox and GET /api/v1/dev/outbox. Never in production.',
    );
  }
  if (config.webhooksAllowPrivate) {
    logger.warn(
      'TWOFOLD_WEBHOOKS_ALLOW_PRIVATE=1: webhooks may be registered for and delivered to loopback, private and link-local addresses (cloud metadata included). Only for a lab or a test.',
    );
  }
  if (services.mailTransport === 'outbox') {
    logger.warn(
      'TWOFOLD_SMTP_URL is not set: e-mails are kept in the database only (`twofold mail` lists them)' +
        (config.dev ? ' and shown in the dev outbox' : '; email codes are not offered'),
    );
  }
  // Metrics on their own address, only when configured (off by default; issue 24).
  const metricsServer = config.metricsAddress
    ? await startMetricsServer(services.metrics, config.metricsAddress)
    : null;
  app.addHook('onClose', async () => {
    await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
    await services.webhooks.worker.stop();
    await services.delivery.stop();
    await services.housekeeping.stop();
    await services.recoveryScheduler.stop();
    services.apiTokens.reminders.stop();
    await input.closeRuntime();
    input.flush();
  });
  await app.listen({ host: config.host, port: config.port });

  let stopping: Promise<number> | null = null;
  /**
   * Graceful stop: /readyz answers 503 at once, the listener closes, idle keep-alive connections
   * close, in-flight requests finish (each answer closes its connection). Past the deadline the
   * remaining connections are cut, so a client that holds one, or a database that hangs, cannot
   * keep the process alive. Resolves with the exit status: 0 clean, 1 deadline hit.
   */
  function shutdown(reason: string): Promise<number> {
    stopping ??= new Promise<number>((resolve) => {
      services.health.drain();
      logger.info({ reason, deadlineMs: config.shutdownTimeoutMs }, 'shutting down');
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => {
        logger.warn(
          { deadlineMs: config.shutdownTimeoutMs },
          'shutdown deadline passed: cutting the remaining connections',
        );
        app.server.closeAllConnections();
        clearInterval(sweep);
        input.flush();
        resolve(1);
      }, config.shutdownTimeoutMs);
      app
        .close()
        .then(
          () => resolve(0),
          (error: unknown) => {
            logger.error({ err: error }, 'error while shutting down');
            resolve(1);
          },
        )
        .finally(() => {
          clearTimeout(deadline);
          clearInterval(sweep);
        });
    });
    return stopping;
  }
  return { app, shutdown };
}

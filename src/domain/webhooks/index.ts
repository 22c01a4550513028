import type { Store } from '../../db/repositories/index.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import type { Principal } from '../sessions/principal.js';
import type { SensitiveOperationId } from '../step-up/sensitive-operations.js';
import { systemResolver } from './addresses.js';
import { createWebhookWorker, type WebhookLogger } from './delivery.js';
import { defaultWebhookNetwork, type WebhookNetwork } from './send.js';
import { createWebhooksService } from './webhooks.service.js';

export type { WebhookView, WebhookDeliveryView } from './webhooks.service.js';
export { MAX_WEBHOOKS } from './webhooks.service.js';
export type { WebhookNetwork } from './send.js';

/**
 * Webhooks (issue 24, decision 032): the endpoints' service and the delivery worker, sharing one
 * `network` — the resolver, timeout and answer cap every check and attempt reads at use, which a
 * test may replace (a name that resolves to 127.0.0.1, a 200 ms timeout).
 */
export function createWebhooks(deps: {
  store: Store;
  audit: AuditRecorder;
  notify: Notifier;
  clock: Clock;
  random: RandomBytes;
  secretBox: SecretBox;
  stepUp: { requireFresh(principal: Principal, operation: SensitiveOperationId): Promise<void> };
  /** TWOFOLD_WEBHOOKS_ALLOW_PRIVATE: private and loopback receivers allowed (a lab, a test). */
  allowPrivate: boolean;
  logger: WebhookLogger;
  network?: Partial<WebhookNetwork>;
  pollMs?: number;
  leaseMs?: number;
}) {
  const network: WebhookNetwork = { resolve: systemResolver, ...defaultWebhookNetwork, ...deps.network };
  const worker = createWebhookWorker({
    store: deps.store,
    clock: deps.clock,
    secretBox: deps.secretBox,
    audit: deps.audit,
    notify: deps.notify,
    allowPrivate: deps.allowPrivate,
    network,
    logger: deps.logger,
    ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}),
  });
  const service = createWebhooksService({
    store: deps.store,
    audit: deps.audit,
    clock: deps.clock,
    random: deps.random,
    secretBox: deps.secretBox,
    stepUp: deps.stepUp,
    allowPrivate: deps.allowPrivate,
    network,
    onSubscriptionsChanged: () => worker.subscriptionsChanged(),
  });
  return { ...service, worker, network };
}
export type Webhooks = ReturnType<typeof createWebhooks>;

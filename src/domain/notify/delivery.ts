import type { Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { MailTransport } from '../../mail/transport.js';
import type { SmsSender } from '../../mail/sms.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { messageBody } from './notifications.js';

export interface DeliveryLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Retries: 30 s doubling to 1 h; after 10 attempts (about 6 hours) a message is marked failed. */
export const MAX_ATTEMPTS = 10;
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/**
 * Delivers queued notifications after their transaction committed (the transactional outbox):
 * a notification never blocks or fails the request that caused it. Runs when a commit queued
 * something, and every `pollMs` for retries. Several instances may run it: a message is claimed
 * with a conditional UPDATE before each attempt.
 */
export function createDeliveryWorker(deps: {
  store: Store;
  /** Opens the bodies of messages that carry a secret. */
  secretBox: SecretBox;
  transport: MailTransport;
  sms: SmsSender;
  from: string;
  clock: Clock;
  logger: DeliveryLogger;
  pollMs?: number;
}) {
  let dirty = false;
  let running: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function deliverDue(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const now = deps.clock();
      const due = await deps.store.repos.messages.dueIds(now, 20);
      if (due.length === 0) return delivered;
      for (const { id } of due) {
        const message = await deps.store.repos.messages.claim(id, now, 60_000);
        if (!message) continue;
        try {
          let real: boolean;
          const body = messageBody(deps.secretBox, message);
          if (message.channel === 'sms') {
            await deps.sms.send({ to: message.to_address, text: body.text, reference: message.id });
            real = deps.sms.kind === 'webhook';
          } else {
            await deps.transport.send({
              from: deps.from,
              to: message.to_address,
              subject: message.subject,
              text: body.text,
              html: body.html,
            });
            real = deps.transport.kind === 'smtp';
          }
          // A code must not outlive its delivery in our database (the dev outbox keeps it: that is its purpose).
          await deps.store.repos.messages.markDelivered(
            id,
            real ? 'sent' : 'outbox',
            deps.clock(),
            real && message.sensitive === 1,
          );
          delivered += 1;
        } catch (error) {
          const attempts = message.attempts + 1;
          const next = attempts >= MAX_ATTEMPTS ? null : deps.clock() + retryDelayMs(attempts);
          await deps.store.repos.messages.markAttemptFailed(id, (error as Error).message ?? String(error), next);
          deps.logger.warn(
            {
              messageId: id,
              kind: message.kind,
              attempts,
              retryAt: next === null ? null : new Date(next).toISOString(),
              error: (error as Error).message,
            },
            next === null ? 'notification failed for good' : 'notification delivery failed, will retry',
          );
          // One failure usually means the server is down: leave the rest for the next round.
          return delivered;
        }
      }
    }
  }

  const worker = {
    /** One pass over what is due; concurrent callers share the running pass. */
    runOnce(): Promise<number> {
      if (!running) {
        dirty = false;
        running = deliverDue().finally(() => {
          running = null;
          if (dirty) worker.kick();
        });
      }
      return running;
    },
    /**
     * Secrets that stopped working leave the database even if no mail server ever took them (issue
     * 19: without SMTP a reset link would otherwise sit there in clear text for ever). On the poll,
     * not after every commit: one indexed UPDATE every few seconds.
     */
    redactExpired: () => deps.store.transaction((repos) => repos.messages.redactExpiredSecrets(deps.clock())),
    /** A notification was queued in a transaction that may now be committing. */
    markDirty() {
      dirty = true;
    },
    /** After a commit: deliver promptly if something was queued. */
    afterCommit() {
      if (dirty) worker.kick();
    },
    kick() {
      setImmediate(() => {
        worker
          .runOnce()
          .catch((error: unknown) =>
            deps.logger.warn({ error: (error as Error).message }, 'notification worker failed'),
          );
      });
    },
    start() {
      deps.store.onCommit = () => worker.afterCommit();
      timer = setInterval(() => {
        worker.kick();
        worker
          .redactExpired()
          .catch((error: unknown) => deps.logger.warn({ error: (error as Error).message }, 'secret redaction failed'));
      }, deps.pollMs ?? 5_000);
      timer.unref();
      worker.kick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      deps.store.onCommit = null;
      // A pass that failed (the database gone) was logged already; stopping must not fail with it.
      await running?.catch(() => undefined);
      deps.transport.close();
    },
  };
  return worker;
}
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

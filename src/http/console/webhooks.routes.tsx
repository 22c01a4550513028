import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { auditEventTypes } from '../../domain/audit/audit.js';
import { requestMeta } from '../plugins/auth.js';
import type { ConsoleKit } from './kit.js';
import { ConfirmPage } from './layout.js';
import { WebhookPage, WebhookSecretPage, WebhooksPage, eventField } from './webhooks.pages.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

const HOME = '/webhooks';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Webhooks (issue 24): the primary account's endpoints — the list and the registration form, the
 * signing secret shown once, an endpoint's recent deliveries with "Send again", a new secret,
 * deleting one after a confirmation. Registering and a new secret are sensitive operations (a
 * fresh step-up, then the form continues). A sub-user is refused by the service (`auth.forbidden`).
 */
export function registerWebhookPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  const { webhooks } = services;

  const param = (request: FastifyRequest, name: 'id' | 'deliveryId') => {
    const t = textsIn(consoleLocaleOf(request));
    const value = (request.params as Record<string, string>)[name] ?? '';
    if (!ID.test(value)) throw new AppError('webhook.not_found', t.webhooks.notFound);
    return value;
  };

  /** What the account is refused outright (a sub-user) or must verify first: a page, not a flash. */
  const needsPage = (error: unknown) =>
    error instanceof AppError && (error.code === 'auth.step_up_required' || error.code === 'auth.forbidden');

  app.get(HOME, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['webhooks.create']!;
    try {
      const list = await webhooks.list(request.principal!);
      const flash = kit.takeFlash(request, reply, HOME);
      return await kit.sendPage(
        reply,
        <WebhooksPage
          frame={await kit.frame(request, reply, t.webhooks.title)}
          message={flash?.message ?? kit.notice(request, t.webhooks.notices)}
          webhooks={list}
          values={flash?.values ?? {}}
        />,
      );
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
  });

  /** Register: checked first (a typo asks for no verification), then a fresh step-up, then the secret once. */
  app.post(HOME, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['webhooks.create']!;
    const form = kit.checkForm(request);
    const events = auditEventTypes.filter((type) => form[eventField(type)] === '1');
    const values: Record<string, string> = { url: form.url ?? '' };
    for (const type of events) values[eventField(type)] = '1';
    try {
      if (events.length === 0) throw new AppError('validation.failed', t.webhooks.chooseEvents);
      const created = await webhooks.create(
        request.principal!,
        { url: (form.url ?? '').trim(), events },
        requestMeta(request),
      );
      // The secret exists only in this answer (no-store): a page that can be opened again never shows it.
      return await kit.sendPage(
        reply,
        <WebhookSecretPage
          frame={await kit.frame(request, reply, t.webhooks.createdTitle)}
          webhook={created.webhook}
          secret={created.secret}
          rotated={false}
        />,
      );
    } catch (error) {
      if (needsPage(error)) return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
      return kit.refuseTo(reply, error, HOME, values);
    }
  });

  app.get(`${HOME}/:id`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['webhooks.create']!;
    try {
      const principal = request.principal!;
      const webhook = await webhooks.get(principal, param(request, 'id'));
      const path = `${HOME}/${webhook.id}`;
      const flash = kit.takeFlash(request, reply, path);
      return await kit.sendPage(
        reply,
        <WebhookPage
          frame={await kit.frame(request, reply, t.webhooks.deliveriesHeading)}
          message={flash?.message ?? kit.notice(request, t.webhooks.notices)}
          webhook={webhook}
          deliveries={await webhooks.deliveries(principal, webhook.id)}
        />,
      );
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
  });

  /** "Send again": the same message, now; a turned-off endpoint is turned on with it. */
  app.post(`${HOME}/:id/deliveries/:deliveryId/retry`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['webhooks.create']!;
    kit.checkForm(request);
    try {
      const id = param(request, 'id');
      await webhooks.retry(request.principal!, id, param(request, 'deliveryId'), requestMeta(request));
      return reply.redirect(`${HOME}/${id}?notice=retried`, 303);
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
  });

  /** A new secret: a fresh step-up first (a sensitive operation), then the secret once. */
  app.post(`${HOME}/:id/secret`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const rotatePurpose = t.stepUp.operations['webhooks.rotate_secret']!;
    kit.checkForm(request);
    try {
      const principal = request.principal!;
      const webhook = await webhooks.get(principal, param(request, 'id'));
      const { secret } = await webhooks.rotateSecret(principal, webhook.id, requestMeta(request));
      return await kit.sendPage(
        reply,
        <WebhookSecretPage
          frame={await kit.frame(request, reply, t.webhooks.rotatedTitle)}
          webhook={webhook}
          secret={secret}
          rotated
        />,
      );
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: rotatePurpose });
    }
  });

  /** Delete: "are you sure?", then done. */
  app.post(`${HOME}/:id/delete`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['webhooks.create']!;
    const form = kit.checkForm(request);
    try {
      const principal = request.principal!;
      const webhook = await webhooks.get(principal, param(request, 'id'));
      const path = `${HOME}/${webhook.id}`;
      if (form.confirmed !== '1')
        return await kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.webhooks.deleteHeading(webhook.url)}
            consequence={t.webhooks.deleteText}
            action={`${path}/delete`}
            button={t.webhooks.deleteButton}
            cancel={path}
            fields={{}}
          />,
        );
      await webhooks.remove(principal, webhook.id, requestMeta(request));
      return reply.redirect(`${HOME}?notice=deleted`, 303);
    } catch (error) {
      // Deleted already (a second tab, Back and again): the list says so.
      if (error instanceof AppError && error.code === 'webhook.not_found') return kit.refuseTo(reply, error, HOME);
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { MAX_REDIRECT_URIS, type OidcClientView } from '../../domain/oidc/clients.service.js';
import type { Principal } from '../../domain/sessions/principal.js';
import { OIDC_PREFIX } from '../oidc/provider.js';
import { requestMeta } from '../plugins/auth.js';
import type { ConsoleKit } from './kit.js';
import { ConfirmPage } from './layout.js';
import {
  ApplicationCreatedPage,
  ApplicationPage,
  ApplicationsPage,
  linesOf,
  type ProviderAddresses,
} from './applications.pages.js';
import { textsIn, consoleError } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

const HOME = '/applications';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The longest list a textarea may hold: MAX_REDIRECT_URIS addresses of 2000 characters, one per line. */
const MAX_LIST_CHARS = MAX_REDIRECT_URIS * 2002;

/**
 * A textarea's text as typed. Read from the body itself: `formOf` keeps fields of at most 1 KiB, and
 * ten addresses can be longer.
 */
function textOf(request: FastifyRequest, field: string, label: string): string {
  const t = textsIn(consoleLocaleOf(request));
  const raw = (request.body as Record<string, unknown> | undefined)?.[field];
  if (raw === undefined) return '';
  if (typeof raw !== 'string' || raw.length > MAX_LIST_CHARS)
    throw new AppError('validation.failed', t.applications.tooLong(label));
  return raw;
}

/** One address per line; blank lines and surrounding spaces do not count. */
const listOf = (text: string) =>
  text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean);

const sameList = (typed: string[], current: string[]) =>
  JSON.stringify([...new Set(typed)]) === JSON.stringify(current);

/** A refused address names its list: both lists share the service's messages. */
function labelled(error: unknown): unknown {
  if (!(error instanceof AppError) || error.code !== 'validation.failed') return error;
  const path = error.details.fields?.[0]?.path ?? '';
  const label = path.startsWith('/postLogoutRedirectUris')
    ? ('postLogoutLabel' as const)
    : path.startsWith('/redirectUris')
      ? ('redirectUrisLabel' as const)
      : null;
  return label
    ? consoleError(error.code, (t) => `${t.applications[label]}: ${error.messageIn(t.lang)}`, {
        details: error.details,
      })
    : error;
}

/**
 * Applications (issue 23): the OpenID Connect clients of the primary account — the list and the
 * registration form, the client secret shown once, changing one, deleting one after a confirmation.
 * Registering and deleting are sensitive operations (a fresh step-up, then the form continues).
 * A sub-user is refused by the service (`auth.forbidden`), shown as a 403 page.
 */
export function registerApplicationPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  const clients = services.oidc.clients;
  const issuer = `${config.publicUrl}${OIDC_PREFIX}`;
  const provider: ProviderAddresses = { issuer, discovery: `${issuer}/.well-known/openid-configuration` };

  const idOf = (request: FastifyRequest) => {
    const t = textsIn(consoleLocaleOf(request));
    const { id } = request.params as { id: string };
    if (!ID.test(id)) throw new AppError('oidc.client_not_found', t.applications.notFound);
    return id;
  };

  /** The workspaces an application may be limited to: the primary account's own. */
  const workspacesOf = async (principal: Principal) =>
    (await services.workspaces.list(principal)).map((w) => ({ id: w.id, name: w.name }));

  /** What the account is refused outright (a sub-user) or must verify first: a page, not a flash. */
  const needsPage = (error: unknown) =>
    error instanceof AppError && (error.code === 'auth.step_up_required' || error.code === 'auth.forbidden');

  app.get(HOME, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['oidc.create_client']!;
    const principal = request.principal!;
    try {
      const list = await clients.list(principal);
      const flash = kit.takeFlash(request, reply, HOME);
      return await kit.sendPage(
        reply,
        <ApplicationsPage
          frame={await kit.frame(request, reply, t.applications.title)}
          message={flash?.message ?? kit.notice(request, t.applications.notices)}
          clients={list}
          workspaces={await workspacesOf(principal)}
          values={flash?.values ?? {}}
        />,
      );
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
  });

  /** Register: checked first (a mistake asks for no verification), then a fresh step-up, then the secret once. */
  app.post(HOME, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['oidc.create_client']!;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const values: Record<string, string> = {
      name: form.name ?? '',
      type: form.type === 'public' ? 'public' : 'confidential',
      workspaceId: form.workspaceId ?? '',
      firstParty: form.firstParty === '1' ? '1' : '',
    };
    try {
      values.redirectUris = textOf(request, 'redirectUris', t.applications.redirectUrisLabel);
      values.postLogoutRedirectUris = textOf(request, 'postLogoutRedirectUris', t.applications.postLogoutLabel);
      if (form.type !== 'public' && form.type !== 'confidential')
        throw new AppError('validation.failed', t.applications.typeRule);
      const created = await clients.create(
        principal,
        {
          name: values.name!,
          redirectUris: listOf(values.redirectUris),
          postLogoutRedirectUris: listOf(values.postLogoutRedirectUris),
          type: form.type,
          ...(values.workspaceId ? { workspaceId: values.workspaceId } : {}),
          firstParty: values.firstParty === '1',
        },
        requestMeta(request),
      );
      // A public application has no secret: its page, by post/redirect/get.
      if (!created.clientSecret) return reply.redirect(`${HOME}/${created.client.id}?notice=created`, 303);
      // The secret exists only in this answer (no-store): a page that can be opened again never shows it.
      return await kit.sendPage(
        reply,
        <ApplicationCreatedPage
          frame={await kit.frame(request, reply, t.applications.createdTitle)}
          client={created.client}
          secret={created.clientSecret}
          provider={provider}
        />,
      );
    } catch (error) {
      if (needsPage(error)) return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
      return kit.refuseTo(reply, labelled(error), HOME, values);
    }
  });

  async function applicationPage(request: FastifyRequest, reply: FastifyReply, client: OidcClientView) {
    const t = textsIn(consoleLocaleOf(request));
    const path = `${HOME}/${client.id}`;
    const flash = kit.takeFlash(request, reply, path);
    const own = {
      name: client.name,
      redirectUris: linesOf(client.redirectUris),
      postLogoutRedirectUris: linesOf(client.postLogoutRedirectUris),
    };
    return kit.sendPage(
      reply,
      <ApplicationPage
        frame={await kit.frame(request, reply, client.name)}
        message={flash?.message ?? kit.notice(request, t.applications.notices)}
        client={client}
        workspaces={await workspacesOf(request.principal!)}
        provider={provider}
        values={{ ...own, ...flash?.values }}
      />,
    );
  }

  app.get(`${HOME}/:id`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['oidc.create_client']!;
    try {
      return await applicationPage(request, reply, await clients.get(request.principal!, idOf(request)));
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
  });

  /** Change the name and the addresses: only what changed is sent (and audited). */
  app.post(`${HOME}/:id`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const createPurpose = t.stepUp.operations['oidc.create_client']!;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const values: Record<string, string> = { name: form.name ?? '' };
    let current: OidcClientView;
    try {
      current = await clients.get(principal, idOf(request));
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose: createPurpose });
    }
    const path = `${HOME}/${current.id}`;
    try {
      values.redirectUris = textOf(request, 'redirectUris', t.applications.redirectUrisLabel);
      values.postLogoutRedirectUris = textOf(request, 'postLogoutRedirectUris', t.applications.postLogoutLabel);
      const redirectUris = listOf(values.redirectUris);
      const postLogoutRedirectUris = listOf(values.postLogoutRedirectUris);
      const changes: Parameters<typeof clients.update>[2] = {};
      if (values.name!.trim() !== current.name) changes.name = values.name!;
      if (!sameList(redirectUris, current.redirectUris)) changes.redirectUris = redirectUris;
      if (!sameList(postLogoutRedirectUris, current.postLogoutRedirectUris))
        changes.postLogoutRedirectUris = postLogoutRedirectUris;
      if (Object.keys(changes).length > 0) await clients.update(principal, current.id, changes, requestMeta(request));
      return reply.redirect(`${path}?notice=saved`, 303);
    } catch (error) {
      if (needsPage(error)) return kit.failure(request, reply, error, { next: path, purpose: createPurpose });
      return kit.refuseTo(reply, labelled(error), path, values);
    }
  });

  /** Delete: a fresh step-up first (a sensitive operation), then "are you sure?", then done. */
  app.post(`${HOME}/:id/delete`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const deletePurpose = t.stepUp.operations['oidc.delete_client']!;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    try {
      const client = await clients.get(principal, idOf(request));
      const path = `${HOME}/${client.id}`;
      const operation = 'oidc.delete_client';
      if (!services.stepUp.isFresh(principal))
        return await kit.stepUpPage(request, reply, {
          next: path,
          purpose: deletePurpose,
          resume: kit.resumeOf(request),
          operation,
          cancel: path,
        });
      if (form.confirmed !== '1')
        return await kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.applications.deleteHeading(client.name)}
            consequence={t.applications.deleteText}
            action={`${path}/delete`}
            button={t.applications.deleteButton}
            cancel={path}
            fields={{}}
          />,
        );
      await clients.remove(principal, client.id, requestMeta(request));
      return reply.redirect(`${HOME}?notice=deleted`, 303);
    } catch (error) {
      // Deleted already (a second tab, Back and again): the list says so.
      if (error instanceof AppError && error.code === 'oidc.client_not_found') return kit.refuseTo(reply, error, HOME);
      return kit.failure(request, reply, error, { next: HOME, purpose: deletePurpose });
    }
  });
}

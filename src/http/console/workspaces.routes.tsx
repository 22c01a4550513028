import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import { ConfirmPage } from './layout.js';
import type { ConsoleKit } from './kit.js';
import { WorkspacePage, WorkspacesPage } from './workspaces.pages.js';
import { WorkspaceMfaRequiredPage, WorkspacePasskeyRequiredPage } from './workspace-gate.pages.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Workspaces (docs/design.md F9): list, create, members, the mandatory-MFA policy and its compliance view. */
export function registerWorkspacePages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  const idOf = (request: FastifyRequest) => {
    const t = textsIn(consoleLocaleOf(request));
    const { id } = request.params as { id: string };
    if (!ID.test(id)) throw new AppError('workspace.not_found', t.workspaces.notFound);
    return id;
  };

  const hasPasskey = async (userId: string) => (await services.devices.list(userId)).some((d) => d.type === 'webauthn');

  async function workspacePage(request: FastifyRequest, reply: FastifyReply, id: string) {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    try {
      const workspace = await services.workspaces.get(principal, id);
      const canManage = workspace.role === 'owner' || workspace.role === 'admin';
      const members = canManage ? await services.workspaces.members(principal, id) : [];
      let candidates: { id: string; label: string }[] = [];
      if (canManage) {
        const present = new Set(members.map((m) => m.userId));
        const users = await services.users.list(principal).catch(() => []);
        const profile = await services.profile(principal.userId);
        candidates = [
          ...(present.has(principal.userId) ? [] : [{ id: principal.userId, label: profile.loginName }]),
          ...users
            .filter((u) => !present.has(u.id))
            .map((u) => ({ id: u.id, label: `${u.username} (${u.displayName})` })),
        ];
      }
      // "Member added" names the member, looked up by id (never text from the address).
      const query = request.query as { notice?: string; user?: string };
      const added = query.notice === 'member' ? members.find((m) => m.userId === query.user) : undefined;
      return kit.sendPage(
        reply,
        <WorkspacePage
          frame={await kit.frame(request, reply, workspace.name)}
          message={kit.notice(request, t.workspaces.notices)}
          notice={added ? t.workspaces.memberAdded(added.name ?? added.displayName ?? '') : undefined}
          workspace={workspace}
          canManage={canManage}
          members={members}
          candidates={candidates}
          selfId={principal.userId}
        />,
      );
    } catch (error) {
      // A session that proved only a code, in a workspace that requires a passkey (issue 22): say why.
      if (error instanceof AppError && error.code === 'workspace.phishing_resistant_required') {
        const name =
          (await services.workspaces.list(principal)).find((w) => w.id === id)?.name ?? t.workspaces.thisWorkspace;
        return kit.sendPage(
          reply,
          <WorkspacePasskeyRequiredPage
            frame={await kit.frame(request, reply, name)}
            name={name}
            hasPasskey={kit.passkeysUnavailable === null && (await hasPasskey(principal.userId))}
            workspaceId={id}
          />,
          403,
        );
      }
      if (error instanceof AppError && error.code === 'workspace.mfa_required') {
        const name =
          (await services.workspaces.list(principal)).find((w) => w.id === id)?.name ?? t.workspaces.thisWorkspace;
        return kit.sendPage(
          reply,
          <WorkspaceMfaRequiredPage
            frame={await kit.frame(request, reply, name)}
            name={name}
            bound={(await services.devices.status(principal)).bound}
            workspaceId={id}
          />,
          403,
        );
      }
      throw error;
    }
  }

  app.get('/workspaces', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <WorkspacesPage
        frame={await kit.frame(request, reply, t.workspaces.title)}
        message={kit.notice(request, t.workspaces.notices)}
        workspaces={await services.workspaces.list(request.principal!)}
      />,
    );
  });

  app.post('/workspaces', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    return kit.formAction(request, reply, { next: '/workspaces', purpose }, async (principal, form) => {
      const name = (form.name ?? '').trim();
      if (!name || name.length > 100) throw new AppError('validation.failed', t.workspaces.nameRule);
      const workspace = await services.workspaces.create(principal, { name }, requestMeta(request));
      return `/workspaces/${workspace.id}?notice=created`;
    });
  });

  app.get('/workspaces/:id', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    try {
      return await workspacePage(request, reply, idOf(request));
    } catch (error) {
      return kit.failure(request, reply, error, { next: '/workspaces', purpose });
    }
  });

  app.get('/workspaces/:id/verify', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    try {
      const id = idOf(request);
      // ?with=passkey: the workspace requires phishing-resistant MFA; only a passkey will do.
      const passkeyOnly = (request.query as { with?: string }).with === 'passkey';
      return await kit.stepUpPage(request, reply, {
        next: `/workspaces/${id}`,
        purpose: passkeyOnly ? t.stepUp.purposes.enterPhishingResistant : t.stepUp.purposes.enterWorkspace,
        passkeyOnly,
      });
    } catch (error) {
      return kit.failure(request, reply, error, { next: '/workspaces', purpose });
    }
  });

  app.post('/workspaces/:id/policy', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    const form = kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      const graceDays = Number(form.graceDays ?? '0');
      if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > 90)
        throw new AppError('validation.failed', t.workspaces.graceRule);
      // Requiring passkeys is requiring MFA, of the phishing-resistant kind (issue 22).
      const phishingResistant = form.phishingResistant === '1';
      const mfaRequired = form.mfaRequired === '1' || phishingResistant;
      const fields = {
        mfaRequired: mfaRequired ? '1' : '',
        phishingResistant: phishingResistant ? '1' : '',
        graceDays: String(graceDays),
      };
      // Turning the policy on locks members without a device (or a passkey) out: say how many, and ask first.
      if (mfaRequired && form.confirmed !== '1') {
        const principal = request.principal!;
        const workspace = await services.workspaces.get(principal, id);
        const members = await services.workspaces.members(principal, id);
        const unbound = members.filter((m) => !m.mfa.bound).length;
        const passkeyless = members.filter((m) => !m.mfa.types.includes('webauthn')).length;
        const confirm = (heading: string, consequence: string, button: string) =>
          kit
            .frame(request, reply, t.confirm.title)
            .then((frame) =>
              kit.sendPage(
                reply,
                <ConfirmPage
                  frame={frame}
                  heading={heading}
                  consequence={consequence}
                  action={`/workspaces/${id}/policy`}
                  button={button}
                  cancel={`/workspaces/${id}`}
                  fields={fields}
                />,
              ),
            );
        if (phishingResistant && !workspace.phishingResistant && passkeyless > 0)
          return await confirm(
            t.confirm.passkeysOn(workspace.name),
            t.confirm.passkeysOnText(passkeyless, graceDays),
            t.confirm.passkeysButton,
          );
        if (!workspace.mfaRequired && unbound > 0)
          return await confirm(
            t.confirm.policyOn(workspace.name),
            t.confirm.policyOnText(unbound, graceDays),
            t.confirm.policyButton,
          );
      }
      // Members are told (by email, where they have an address) only when the policy turns on and
      // some lack the device it asks for: the notice says so then, and only then.
      const principal = request.principal!;
      let told = false;
      if (mfaRequired) {
        const before = await services.workspaces.get(principal, id);
        const members = await services.workspaces.members(principal, id);
        told =
          (!before.mfaRequired && members.some((m) => !m.mfa.bound)) ||
          (phishingResistant &&
            !before.phishingResistant &&
            members.some((m) => m.userId !== principal.userId && !m.mfa.types.includes('webauthn')));
      }
      await services.workspaces.update(
        principal,
        id,
        { mfaRequired, phishingResistant, graceDays },
        requestMeta(request),
      );
      return reply.redirect(`/workspaces/${id}?notice=${told ? 'policy-told' : 'policy'}`, 303);
    } catch (error) {
      // Requiring passkeys takes a session that proved one: verify with it, then the policy is saved.
      if (
        error instanceof AppError &&
        error.code === 'workspace.phishing_resistant_required' &&
        kit.passkeysUnavailable === null &&
        (await hasPasskey(request.principal!.userId))
      )
        return kit.stepUpPage(request, reply, {
          next: `/workspaces/${id}`,
          purpose: t.stepUp.operations['workspaces.change_policy']!,
          resume: kit.resumeOf(request),
          operation: 'workspaces.change_policy',
          passkeyOnly: true,
          cancel: `/workspaces/${id}`,
        });
      return kit.failure(request, reply, error, { next: `/workspaces/${id}`, purpose });
    }
  });

  app.post('/workspaces/:id/members', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    return kit.formAction(request, reply, { next: '/workspaces', purpose }, async (principal, form) => {
      const id = idOf(request);
      const added = await services.workspaces.addMember(
        principal,
        id,
        { userId: form.userId ?? '', role: form.role === 'admin' ? 'admin' : 'member' },
        requestMeta(request),
      );
      return `/workspaces/${id}?notice=member&user=${encodeURIComponent(added.userId)}`;
    });
  });

  const memberOf = (request: FastifyRequest) => {
    const t = textsIn(consoleLocaleOf(request));
    const { userId } = request.params as { userId: string };
    if (!ID.test(userId)) throw new AppError('workspace.member_not_found', t.workspaces.notFound);
    return userId;
  };

  app.post('/workspaces/:id/members/:userId/role', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    return kit.formAction(request, reply, { next: '/workspaces', purpose }, async (principal, form) => {
      const id = idOf(request);
      await services.workspaces.setRole(
        principal,
        id,
        memberOf(request),
        form.role === 'admin' ? 'admin' : 'member',
        requestMeta(request),
      );
      return `/workspaces/${id}?notice=role`;
    });
  });

  app.post('/workspaces/:id/members/:userId/remove', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    const form = kit.checkForm(request);
    try {
      const id = idOf(request);
      const userId = memberOf(request);
      if (form.confirmed !== '1') {
        const principal = request.principal!;
        const workspace = await services.workspaces.get(principal, id);
        const target = (await services.workspaces.members(principal, id)).find((m) => m.userId === userId);
        if (!target) throw new AppError('workspace.member_not_found', t.workspaces.notFound);
        return kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.workspaces.removeMember(target.name ?? target.displayName ?? '', workspace.name)}
            consequence={t.workspaces.removeMemberText}
            action={`/workspaces/${id}/members/${userId}/remove`}
            button={t.workspaces.remove}
            cancel={`/workspaces/${id}`}
            fields={{}}
          />,
        );
      }
      await services.workspaces.removeMember(request.principal!, id, userId, requestMeta(request));
      return reply.redirect(`/workspaces/${id}?notice=removed`, 303);
    } catch (error) {
      return kit.failure(request, reply, error, { next: '/workspaces', purpose });
    }
  });

  app.post('/workspaces/:id/rename', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    return kit.formAction(request, reply, { next: '/workspaces', purpose }, async (principal, form) => {
      const id = idOf(request);
      const name = (form.name ?? '').trim();
      if (!name || name.length > 100) throw new AppError('validation.failed', t.workspaces.nameRule);
      await services.workspaces.update(principal, id, { name }, requestMeta(request));
      return `/workspaces/${id}?notice=renamed`;
    });
  });

  app.post('/workspaces/:id/delete', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      if (form.confirmed !== '1') {
        const workspace = await services.workspaces.get(request.principal!, id);
        return kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.workspaces.deleteWorkspace(workspace.name)}
            consequence={t.workspaces.deleteWorkspaceText(workspace.mfaRequired)}
            action={`/workspaces/${id}/delete`}
            button={t.workspaces.deleteButton.replace('…', '')}
            cancel={`/workspaces/${id}`}
            fields={{}}
          />,
        );
      }
      await services.workspaces.remove(request.principal!, id, requestMeta(request));
      return reply.redirect('/workspaces?notice=deleted', 303);
    } catch (error) {
      return kit.failure(request, reply, error, {
        next: `/workspaces/${id}`,
        purpose: t.stepUp.purposes.deleteWorkspace,
      });
    }
  });

  app.post('/workspaces/:id/remind', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.policy;
    return kit.formAction(request, reply, { next: '/workspaces', purpose }, async (principal) => {
      const id = idOf(request);
      await services.workspaces.remind(principal, id, requestMeta(request));
      return `/workspaces/${id}?notice=reminded`;
    });
  });
}

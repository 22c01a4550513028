import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../domain/sessions/principal.js';
import type { AppDeps } from '../deps.js';
import { requestMeta } from '../plugins/auth.js';
import type { ConsoleContext } from './users.console.js';
import { WorkspaceMfaRequiredPage, WorkspacePage, WorkspacesPage } from './workspaces.pages.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const notices: Record<string, { kind: 'success'; text: string }> = {
  created: { kind: 'success', text: 'Workspace created. Add members and decide whether MFA is mandatory.' },
  policy: { kind: 'success', text: 'Policy saved. Members without a device were told by email.' },
  member: { kind: 'success', text: 'Member added.' },
};

/** Workspaces (seed 004): list, create, members, the mandatory-MFA policy and its compliance view. */
export function registerWorkspacePages(app: FastifyInstance, deps: AppDeps, ctx: ConsoleContext) {
  const { services } = deps;
  const noticeOf = (request: FastifyRequest) =>
    notices[(request.query as Record<string, string>)?.notice ?? ''] ?? null;

  const PURPOSE = 'Changing a workspace MFA policy';
  const failure = (request: FastifyRequest, reply: FastifyReply, error: unknown, next: string) =>
    ctx.failure(request, reply, error, next, PURPOSE);

  async function workspacePage(request: FastifyRequest, reply: FastifyReply, principal: Principal, id: string) {
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
      return ctx.sendPage(
        reply,
        <WorkspacePage
          frame={await ctx.frame(request, reply, workspace.name)}
          message={noticeOf(request)}
          workspace={workspace}
          canManage={canManage}
          members={members}
          candidates={candidates}
        />,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'workspace.mfa_required') {
        const list = await services.workspaces.list(principal);
        const name = list.find((w) => w.id === id)?.name ?? 'This workspace';
        return ctx.sendPage(
          reply,
          <WorkspaceMfaRequiredPage
            frame={await ctx.frame(request, reply, name)}
            name={name}
            bound={(await services.devices.status(principal)).bound}
            workspaceId={id}
          />,
          403,
        );
      }
      return failure(request, reply, error, '/workspaces');
    }
  }

  app.get('/workspaces', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    return ctx.sendPage(
      reply,
      <WorkspacesPage
        frame={await ctx.frame(request, reply, 'Workspaces')}
        message={noticeOf(request)}
        workspaces={await services.workspaces.list(principal)}
      />,
    );
  });

  app.post('/workspaces', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const form = ctx.checkForm(request);
    const name = (form.name ?? '').trim();
    if (!name || name.length > 100)
      return failure(
        request,
        reply,
        new AppError('validation.failed', 'A workspace name is 1 to 100 characters.'),
        '/workspaces',
      );
    const workspace = await services.workspaces.create(principal, { name }, requestMeta(request));
    return reply.redirect(`/workspaces/${workspace.id}?notice=created`, 303);
  });

  app.get('/workspaces/:id', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const { id } = request.params as { id: string };
    if (!ID.test(id))
      return failure(request, reply, new AppError('workspace.not_found', 'No such workspace.'), '/workspaces');
    return workspacePage(request, reply, principal, id);
  });

  app.get('/workspaces/:id/verify', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const { id } = request.params as { id: string };
    if (!ID.test(id))
      return failure(request, reply, new AppError('workspace.not_found', 'No such workspace.'), '/workspaces');
    return ctx.stepUpPage(request, reply, `/workspaces/${id}`, 'Entering a workspace that requires MFA');
  });

  app.post('/workspaces/:id/policy', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return ctx.formAction(request, reply, `/workspaces/${id}`, PURPOSE, async (principal, form) => {
      const graceDays = Number(form.graceDays ?? '0');
      if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > 90)
        throw new AppError('validation.failed', 'The grace period is a whole number of days from 0 to 90.');
      await services.workspaces.update(
        principal,
        id,
        { mfaRequired: form.mfaRequired === '1', graceDays },
        requestMeta(request),
      );
      return `/workspaces/${id}?notice=policy`;
    });
  });

  app.post('/workspaces/:id/members', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return ctx.formAction(request, reply, `/workspaces/${id}`, PURPOSE, async (principal, form) => {
      await services.workspaces.addMember(
        principal,
        id,
        { userId: form.userId ?? '', role: form.role === 'admin' ? 'admin' : 'member' },
        requestMeta(request),
      );
      return `/workspaces/${id}?notice=member`;
    });
  });
}

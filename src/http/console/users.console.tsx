import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../domain/sessions/principal.js';
import type { AppDeps } from '../deps.js';
import { requestMeta } from '../plugins/auth.js';
import type { PageFrame } from './layout.js';
import { NewUserPage, UserBindPage, UserDetailsPage, UsersPage } from './users.pages.js';

type Message = { kind: 'error' | 'success' | 'info'; text: string } | null;

/** The console helpers the user pages share with the rest of the console. */
export interface ConsoleContext {
  frame(request: FastifyRequest, reply: FastifyReply, title: string): Promise<PageFrame>;
  checkForm(request: FastifyRequest): Record<string, string>;
  sendPage(reply: FastifyReply, page: VNode, status?: number): FastifyReply;
  stepUpPage(request: FastifyRequest, reply: FastifyReply, next: string, purpose: string): Promise<FastifyReply>;
  signedIn(request: FastifyRequest, reply: FastifyReply): Promise<Principal | null>;
  notice(request: FastifyRequest): Message;
  /** An expected failure of a console action: ask for a step-up (then continue), or show the reason. */
  failure(
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    next: string,
    purpose: string,
  ): Promise<FastifyReply>;
  /**
   * A plain console form post: signed in and CSRF-checked, then `act`, which answers the page to
   * redirect to (303); an expected failure goes to `failure` with `next` and `purpose`.
   */
  formAction(
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    purpose: string,
    act: (principal: Principal, form: Record<string, string>) => Promise<string>,
  ): Promise<FastifyReply>;
}

const userNotices: Record<string, Message> = {
  created: { kind: 'success', text: 'User created. Share the login name and initial password with the user.' },
  saved: { kind: 'success', text: 'Changes saved.' },
  'bound-for-user': {
    kind: 'success',
    text: 'The virtual MFA device is bound. It belongs to the user, who now logs in with its codes.',
  },
  reset: { kind: 'success', text: "The user's virtual MFA device was reset and its sessions ended." },
  deleted: { kind: 'success', text: 'User deleted.' },
};

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** User Management > User Details > Security Credential (seed 000), and creating users. */
export function registerUserPages(app: FastifyInstance, deps: AppDeps, ctx: ConsoleContext) {
  const { services, config } = deps;
  const noticeOf = (request: FastifyRequest) =>
    userNotices[(request.query as Record<string, string>)?.notice ?? ''] ?? null;

  const PURPOSE = 'Changing how a user signs in';
  const failure = (request: FastifyRequest, reply: FastifyReply, error: unknown, next: string) =>
    ctx.failure(request, reply, error, next, PURPOSE);

  async function detailsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    id: string,
    message: Message,
    status = 200,
  ) {
    const details = await services.users.get(principal, id);
    const profile = await services.profile(principal.userId);
    const list = await services.users.list(principal);
    const view = list.find((u) => u.id === id)!;
    return ctx.sendPage(
      reply,
      <UserDetailsPage
        frame={await ctx.frame(request, reply, 'User Details')}
        message={message}
        user={view}
        loginName={`${details.user.username}@${profile.account.alias}`}
        manageable={details.manageable}
        isPrimary={principal.kind === 'root'}
      />,
      status,
    );
  }

  app.get('/users', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const filter = (request.query as Record<string, string>)?.mfa === 'unbound' ? 'unbound' : null;
    try {
      const users = await services.users.list(principal, filter ? { mfa: filter } : {});
      const profile = await services.profile(principal.userId);
      return ctx.sendPage(
        reply,
        <UsersPage
          frame={await ctx.frame(request, reply, 'User Management')}
          message={noticeOf(request)}
          users={users}
          alias={profile.account.alias}
          filter={filter}
        />,
      );
    } catch (error) {
      return failure(request, reply, error, '/users');
    }
  });

  app.get('/users/new', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    return ctx.sendPage(
      reply,
      <NewUserPage frame={await ctx.frame(request, reply, 'Create user')} message={null} values={{}} />,
    );
  });

  app.post('/users/new', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const form = ctx.checkForm(request);
    const values = {
      username: form.username ?? '',
      displayName: form.displayName ?? '',
      email: form.email ?? '',
      mfaRequired: form.mfaRequired === '1' ? '1' : '',
    };
    const show = async (text: string, status: number) =>
      ctx.sendPage(
        reply,
        <NewUserPage
          frame={await ctx.frame(request, reply, 'Create user')}
          message={{ kind: 'error', text }}
          values={values}
        />,
        status,
      );
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(values.username))
      return show('The username is 1-64 letters, digits, dots, dashes or underscores.', 400);
    if ((form.password ?? '').length < 8 || (form.password ?? '').length > 256)
      return show('The initial password must be 8 to 256 characters long.', 400);
    if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email))
      return show('Enter a valid email address, or leave it empty.', 400);
    if (values.displayName.length > 100) return show('The display name can be at most 100 characters.', 400);
    try {
      const created = await services.users.create(
        principal,
        {
          username: values.username,
          password: form.password!,
          displayName: values.displayName || undefined,
          email: values.email || undefined,
          mfaRequired: values.mfaRequired === '1',
        },
        requestMeta(request),
      );
      return reply.redirect(`/users/${created.user.id}?notice=created`, 303);
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.code !== 'auth.forbidden')
        return show(error.message, error.status);
      return failure(request, reply, error, '/users/new');
    }
  });

  app.get('/users/:id', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const { id } = request.params as { id: string };
    try {
      if (!USER_ID.test(id)) throw new AppError('user.not_found', 'No such user in this account.');
      return await detailsPage(request, reply, principal, id, noticeOf(request));
    } catch (error) {
      return failure(request, reply, error, '/users');
    }
  });

  app.post('/users/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const form = ctx.checkForm(request);
    const { id } = request.params as { id: string };
    try {
      const current = (await services.users.get(principal, id)).user;
      // Send only what changed, so renaming alone needs no step-up.
      const changes: Parameters<typeof services.users.update>[2] = {};
      const displayName = (form.displayName ?? '').trim();
      const email = (form.email ?? '').trim();
      if (displayName && displayName !== current.displayName) changes.displayName = displayName.slice(0, 100);
      if (email !== (current.email ?? '')) {
        if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
          throw new AppError('validation.failed', 'Enter a valid email address, or leave it empty.');
        changes.email = email || null;
      }
      if ((form.mfaRequired === '1') !== current.mfaRequired) changes.mfaRequired = form.mfaRequired === '1';
      if ((form.disabled === '1') !== current.disabled) changes.disabled = form.disabled === '1';
      if (principal.kind === 'root' && (form.userAdmin === '1') !== current.roles.includes('user-admin'))
        changes.roles = form.userAdmin === '1' ? ['user-admin'] : [];
      if (Object.keys(changes).length > 0) await services.users.update(principal, id, changes, requestMeta(request));
      return reply.redirect(`/users/${id}?notice=saved`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation.failed')
        return detailsPage(request, reply, principal, id, { kind: 'error', text: error.message }, 400);
      return failure(request, reply, error, `/users/${id}`);
    }
  });

  app.post('/users/:id/mfa/bind', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    ctx.checkForm(request);
    const { id } = request.params as { id: string };
    try {
      const view = await services.users.startEnrollment(principal, id, requestMeta(request));
      return await bindPage(request, reply, principal, id, view, null);
    } catch (error) {
      return failure(request, reply, error, `/users/${id}`);
    }
  });

  async function bindPage(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    id: string,
    view: Awaited<ReturnType<typeof services.users.startEnrollment>>,
    message: Message,
    status = 200,
  ) {
    const details = await services.users.get(principal, id);
    const profile = await services.profile(principal.userId);
    return ctx.sendPage(
      reply,
      <UserBindPage
        frame={await ctx.frame(request, reply, 'Bind virtual MFA')}
        message={message}
        user={{ id, username: details.user.username }}
        loginName={`${details.user.username}@${profile.account.alias}`}
        issuer={config.issuer}
        enrollment={view.enrollment}
        codesRequired={config.mfaActivationCodes}
      />,
      status,
    );
  }

  app.post('/users/:id/mfa/bind/activate', { schema: { hide: true } }, async (request, reply) => {
    const principal = await ctx.signedIn(request, reply);
    if (!principal) return reply;
    const form = ctx.checkForm(request);
    const { id } = request.params as { id: string };
    const codes = [form.code1, form.code2].slice(0, config.mfaActivationCodes).map((c) => (c ?? '').trim());
    try {
      if (!codes.every((c) => /^[0-9]{6}$/.test(c)))
        throw new AppError('validation.failed', 'Each code is the 6 digits shown in the authenticator app.');
      await services.users.activate(
        principal,
        id,
        { enrollmentId: form.enrollmentId ?? '', codes },
        requestMeta(request),
      );
      return reply.redirect(`/users/${id}?notice=bound-for-user`, 303);
    } catch (error) {
      if (
        error instanceof AppError &&
        error.status < 500 &&
        error.code !== 'auth.step_up_required' &&
        error.code !== 'auth.forbidden' &&
        error.code !== 'user.not_found'
      ) {
        const pending = await services.users.pendingEnrollment(principal, id, form.enrollmentId ?? '');
        if (pending)
          return bindPage(request, reply, principal, id, pending, { kind: 'error', text: error.message }, error.status);
      }
      return failure(request, reply, error, `/users/${id}`);
    }
  });

  app.post('/users/:id/mfa/reset', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return ctx.formAction(request, reply, `/users/${id}`, PURPOSE, async (principal, form) => {
      await services.users.resetMfa(principal, id, (form.reason ?? '').slice(0, 500) || null, requestMeta(request));
      return `/users/${id}?notice=reset`;
    });
  });

  app.post('/users/:id/delete', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return ctx.formAction(request, reply, `/users/${id}`, PURPOSE, async (principal) => {
      await services.users.remove(principal, id, requestMeta(request));
      return '/users?notice=deleted';
    });
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../domain/sessions/principal.js';
import { requestMeta } from '../plugins/auth.js';
import { ConfirmPage, type Message } from './layout.js';
import { codeFrom, emailFrom, type ConsoleKit } from './kit.js';
import { BindPage } from './binding.pages.js';
import { NewUserPage, UserDetailsPage, UsersPage } from './users.pages.js';
import { textsIn, consoleError } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** User Management › User Details › Security Credential (docs/design.md F4), and creating users. */
/** An administrator's reason for a reset or a removal: it goes into the audit log and the user's e-mail. */
function reasonOf(form: Record<string, string | undefined>): string {
  const reason = (form.reason ?? '').trim().slice(0, 500);
  if (reason.length < 3) throw consoleError('validation.failed', (t) => t.form.reasonRequired);
  return reason;
}

export function registerUserPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  const idOf = (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    if (!USER_ID.test(id)) throw new AppError('user.not_found', (m) => m.users.notFound);
    return id;
  };
  const loginOf = async (principal: Principal, username: string) =>
    `${username}@${(await services.profile(principal.userId)).account.alias}`;

  async function userView(principal: Principal, id: string) {
    const details = await services.users.get(principal, id);
    const view = (await services.users.list(principal)).find((u) => u.id === id)!;
    return { details, view, loginName: await loginOf(principal, details.user.username) };
  }

  async function detailsPage(request: FastifyRequest, reply: FastifyReply, id: string, message: Message, status = 200) {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const { details, view, loginName } = await userView(principal, id);
    return kit.sendPage(
      reply,
      <UserDetailsPage
        frame={await kit.frame(request, reply, t.users.detailsTitle)}
        message={message}
        user={view}
        loginName={loginName}
        manageable={details.manageable}
        isPrimary={principal.kind === 'root'}
        devices={await services.users.devices(principal, id)}
      />,
      status,
    );
  }

  app.get('/users', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    const principal = request.principal!;
    const filter = (request.query as Record<string, string>)?.mfa === 'unbound' ? 'unbound' : null;
    try {
      const users = await services.users.list(principal, filter ? { mfa: filter } : {});
      const profile = await services.profile(principal.userId);
      return kit.sendPage(
        reply,
        <UsersPage
          frame={await kit.frame(request, reply, t.users.title)}
          message={kit.notice(request, t.users.notices)}
          users={users}
          alias={profile.account.alias}
          filter={filter}
        />,
      );
    } catch (error) {
      return kit.failure(request, reply, error, { next: '/users', purpose });
    }
  });

  app.get('/users/new', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <NewUserPage frame={await kit.frame(request, reply, t.users.newTitle)} message={null} values={{}} />,
    );
  });

  app.post('/users/new', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    const form = kit.checkForm(request);
    const values = {
      username: form.username ?? '',
      displayName: form.displayName ?? '',
      email: form.email ?? '',
      mfaRequired: form.mfaRequired === '1' ? '1' : '',
    };
    const show = async (message: NonNullable<Message>, status: number) =>
      kit.sendPage(
        reply,
        <NewUserPage frame={await kit.frame(request, reply, t.users.newTitle)} message={message} values={values} />,
        status,
      );
    try {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(values.username))
        throw new AppError('validation.failed', t.users.usernameRule);
      if ((form.password ?? '').length < 8 || (form.password ?? '').length > 256)
        throw new AppError('validation.failed', t.users.initialPasswordRule);
      if (values.email) emailFrom(values.email);
      if (values.displayName.length > 100) throw new AppError('validation.failed', t.form.displayNameLength);
      const created = await services.users.create(
        request.principal!,
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
      const forbidden = error instanceof AppError && error.code === 'auth.forbidden';
      return kit.failure(request, reply, error, {
        next: '/users/new',
        purpose,
        ...(forbidden ? {} : { render: show }),
      });
    }
  });

  app.get('/users/:id', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    try {
      return await detailsPage(request, reply, idOf(request), kit.notice(request, t.users.notices));
    } catch (error) {
      return kit.failure(request, reply, error, { next: '/users', purpose });
    }
  });

  app.post('/users/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      const current = (await services.users.get(principal, id)).user;
      // Send only what changed, so renaming alone needs no step-up.
      const changes: Parameters<typeof services.users.update>[2] = {};
      const displayName = (form.displayName ?? '').trim();
      const email = (form.email ?? '').trim();
      if (displayName && displayName !== current.displayName) changes.displayName = displayName.slice(0, 100);
      if (email !== (current.email ?? '')) changes.email = email ? emailFrom(email) : null;
      if ((form.mfaRequired === '1') !== current.mfaRequired) changes.mfaRequired = form.mfaRequired === '1';
      if ((form.disabled === '1') !== current.disabled) changes.disabled = form.disabled === '1';
      if (principal.kind === 'root' && (form.userAdmin === '1') !== current.roles.includes('user-admin'))
        changes.roles = form.userAdmin === '1' ? ['user-admin'] : [];
      if (Object.keys(changes).length > 0) await services.users.update(principal, id, changes, requestMeta(request));
      return reply.redirect(`/users/${id}?notice=saved`, 303);
    } catch (error) {
      const invalid = error instanceof AppError && error.code === 'validation.failed';
      return kit.failure(request, reply, error, {
        next: `/users/${id}`,
        purpose,
        ...(invalid
          ? {
              render: (message: NonNullable<Message>, status: number) =>
                detailsPage(request, reply, id, message, status),
            }
          : {}),
      });
    }
  });

  async function bindPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    view: Pick<Awaited<ReturnType<typeof services.enrollment.start>>, 'enrollment' | 'codesRequired'> & {
      replacedPending?: boolean;
    },
    message: Message,
    status = 200,
  ) {
    const t = textsIn(consoleLocaleOf(request));
    const details = await services.users.get(request.principal!, id);
    return kit.sendPage(
      reply,
      <BindPage
        frame={await kit.frame(request, reply, t.users.bindTitle)}
        active="users"
        heading={t.users.bindHeading(details.user.username)}
        message={message}
        showClockHint={false}
        enrollment={view.enrollment}
        issuer={config.issuer}
        accountName={await loginOf(request.principal!, details.user.username)}
        codesRequired={config.mfaActivationCodes}
        action={`/users/${id}/mfa/bind/activate`}
        cancel={`/users/${id}`}
      />,
      status,
    );
  }

  app.post('/users/:id/mfa/bind', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      const view = await services.users.startEnrollment(request.principal!, id, requestMeta(request));
      return await bindPage(request, reply, id, view, null);
    } catch (error) {
      return kit.failure(request, reply, error, { next: `/users/${id}`, purpose });
    }
  });

  app.post('/users/:id/mfa/bind/activate', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      const codes = [form.code1, form.code2]
        .slice(0, config.mfaActivationCodes)
        .map((c) => codeFrom(c, t.form.codesDigits));
      await services.users.activate(
        principal,
        id,
        { enrollmentId: form.enrollmentId ?? '', codes },
        requestMeta(request),
      );
      return reply.redirect(`/users/${id}?notice=bound-for-user`, 303);
    } catch (error) {
      const retryable =
        error instanceof AppError &&
        !['auth.step_up_required', 'auth.forbidden', 'user.not_found'].includes(error.code);
      const pending =
        retryable && id ? await services.users.pendingEnrollment(principal, id, form.enrollmentId ?? '') : null;
      return kit.failure(request, reply, error, {
        next: `/users/${id}`,
        purpose,
        ...(pending
          ? {
              render: (message: NonNullable<Message>, status: number) =>
                bindPage(request, reply, id, pending, message, status),
            }
          : {}),
      });
    }
  });

  /** A destructive action: the first post shows what it does; the confirmed one does it. */
  async function confirmOrDo(
    request: FastifyRequest,
    reply: FastifyReply,
    confirm: (id: string, message: Message) => Promise<unknown>,
    act: (id: string, form: Record<string, string>) => Promise<string>,
  ) {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    const form = kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      if (form.confirmed !== '1') return await confirm(id, null);
      return reply.redirect(await act(id, form), 303);
    } catch (error) {
      const invalid = error instanceof AppError && error.code === 'validation.failed';
      return kit.failure(request, reply, error, {
        next: `/users/${id}`,
        purpose,
        // A missing reason: the confirmation again, saying what is missing (400).
        ...(invalid ? { render: (message: NonNullable<Message>) => confirm(id, message) } : {}),
      });
    }
  }

  app.post('/users/:id/mfa/reset', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return confirmOrDo(
      request,
      reply,
      async (id, message) => {
        const { view } = await userView(request.principal!, id);
        return kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.confirm.resetDevice(view.username)}
            consequence={t.confirm.resetDeviceText}
            action={`/users/${id}/mfa/reset`}
            button={t.confirm.resetButton}
            cancel={`/users/${id}`}
            fields={{}}
            reason={{ label: t.confirm.reasonLabel, placeholder: t.confirm.reasonPlaceholder }}
            message={message}
          />,
          message ? 400 : 200,
        );
      },
      async (id, form) => {
        const reason = reasonOf(form);
        await services.users.resetMfa(request.principal!, id, reason, requestMeta(request));
        return `/users/${id}?notice=reset`;
      },
    );
  });

  /** One of the user's devices (issue 22): asks first, with a reason for the audit log and the e-mail. */
  app.post('/users/:id/devices/:deviceId/remove', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const { deviceId } = request.params as { deviceId: string };
    const known = async (id: string) => {
      const devices = await services.users.devices(request.principal!, id);
      const device = USER_ID.test(deviceId) ? devices.find((d) => d.id === deviceId) : undefined;
      if (!device) throw new AppError('mfa.device_not_found', t.devices.notFound);
      return { device, last: devices.length === 1 };
    };
    return confirmOrDo(
      request,
      reply,
      async (id, message) => {
        const { view } = await userView(request.principal!, id);
        const { device, last } = await known(id);
        return kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.users.removeDeviceHeading(device.name, view.username)}
            consequence={last ? t.users.removeLastDeviceText : t.users.removeDeviceText}
            action={`/users/${id}/devices/${deviceId}/remove`}
            button={t.users.removeDeviceButton}
            cancel={`/users/${id}`}
            fields={{}}
            reason={{ label: t.confirm.reasonLabel, placeholder: t.confirm.reasonPlaceholder }}
            message={message}
          />,
          message ? 400 : 200,
        );
      },
      async (id, form) => {
        const reason = reasonOf(form);
        await known(id);
        await services.users.removeDevice(request.principal!, id, deviceId, reason, requestMeta(request));
        return `/users/${id}?notice=device-removed`;
      },
    );
  });

  app.post('/users/:id/delete', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return confirmOrDo(
      request,
      reply,
      async (id) => {
        const { view } = await userView(request.principal!, id);
        return kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.confirm.deleteUser(view.username)}
            consequence={t.confirm.deleteUserText}
            action={`/users/${id}/delete`}
            button={t.confirm.deleteUserButton}
            cancel={`/users/${id}`}
            fields={{}}
          />,
        );
      },
      async (id) => {
        await services.users.remove(request.principal!, id, requestMeta(request));
        return '/users?notice=deleted';
      },
    );
  });

  app.post('/users/:id/password-reset', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    return kit.formAction(request, reply, { next: '/users', purpose }, async (principal) => {
      const id = idOf(request);
      await services.users.sendPasswordReset(principal, id, requestMeta(request));
      return `/users/${id}?notice=reset-link`;
    });
  });

  app.post('/users/:id/password', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.users;
    const form = kit.checkForm(request);
    let id = '';
    try {
      id = idOf(request);
      const password = form.password ?? '';
      if (password.length < 8 || password.length > 256) throw new AppError('validation.failed', t.form.passwordLength);
      await services.users.update(request.principal!, id, { password }, requestMeta(request));
      return reply.redirect(`/users/${id}?notice=password`, 303);
    } catch (error) {
      // A password is never carried through the verification page: it is typed again after it.
      return kit.failure(request, reply, error, {
        next: `/users/${id}`,
        purpose,
        resume: false,
        render: (message, status) => detailsPage(request, reply, id, message, status),
      });
    }
  });
}

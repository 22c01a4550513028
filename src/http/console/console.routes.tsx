import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { render } from 'preact-render-to-string';
import type { VNode } from 'preact';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { constantTimeEqual } from '../../crypto/random.js';
import type { AppDeps } from '../deps.js';
import { SESSION_COOKIE, originAllowed, requestMeta } from '../plugins/auth.js';
import type { PageFrame } from './layout.js';
import type { ResumeForm, StepUpOptions } from './pages.js';
import {
  ContinuePage,
  AuditPage,
  BindPage,
  BindStartPage,
  ErrorPage,
  LoginPage,
  MfaCodePage,
  OverviewPage,
  SecurityPage,
  SignupPage,
  StepUpPage,
  UnbindPage,
} from './pages.js';
import { consoleCss } from './styles.js';
import { OutboxPage } from './users.pages.js';
import { registerUserPages, type ConsoleContext } from './users.console.js';
import { registerWorkspacePages } from './workspaces.console.js';
import { auditEventTypes, type AuditEventType } from '../../domain/audit/audit.js';

const CSRF_COOKIE = 'twofold_csrf';
const CHALLENGE_COOKIE = 'twofold_challenge';

/** Fixed notices chosen by a query key, so no user-controlled text is ever echoed. */
const notices: Record<string, { kind: 'success' | 'info'; text: string }> = {
  bound: { kind: 'success', text: 'Virtual MFA is bound. The next login will ask for a dynamic code.' },
  unbound: { kind: 'success', text: 'Virtual MFA is unbound. Codes from that device no longer work.' },
  'signed-out': { kind: 'info', text: 'You are signed out.' },
  welcome: { kind: 'success', text: 'Your account is ready. Bind a virtual MFA device to protect it.' },
  expired: { kind: 'info', text: 'That login expired or ran out of tries. Enter your password again.' },
  protection: { kind: 'success', text: 'Account protection saved.' },
};

type Form = Record<string, string>;

function formOf(request: FastifyRequest): Form {
  const body = request.body;
  const form: Form = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string' && value.length <= 1024) form[key] = value;
    }
  }
  return form;
}

function purposeOf(next: string): string {
  if (next.includes('unbind')) return 'Unbinding the virtual MFA device';
  if (next.startsWith('/workspaces/')) return 'Entering or changing a workspace that requires MFA';
  if (next.startsWith('/users/')) return 'Changing how a user signs in';
  return 'Binding a virtual MFA device';
}

/** Only same-site relative paths are followed after a step-up (no open redirect). */
function safeNext(value: string | undefined): string {
  return value && /^\/(?!\/)[A-Za-z0-9/_-]*$/.test(value) ? value : '/account/security';
}

export function sendPage(reply: FastifyReply, page: VNode, status = 200) {
  reply.header('cache-control', 'no-store');
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>${render(page)}`);
}

export function renderConsoleError(reply: FastifyReply, error: AppError) {
  const frame: PageFrame = { title: 'Something went wrong', csrf: '', signedInAs: null };
  if (error.details.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(error.details.retryAfterSeconds));
  const title = error.status >= 500 ? 'Something went wrong' : 'Request refused';
  return sendPage(reply, <ErrorPage frame={frame} title={title} text={error.message} />, error.status);
}

export function registerConsole(app: FastifyInstance, deps: AppDeps) {
  const { services, config } = deps;
  const cookieBase = { httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies, path: '/' };

  function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    const existing = request.cookies[CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    reply.setCookie(CSRF_COOKIE, token, cookieBase);
    return token;
  }

  /** Every console form carries the double-submit token and must come from our own origin. */
  function checkForm(request: FastifyRequest): Form {
    const form = formOf(request);
    const cookie = request.cookies[CSRF_COOKIE];
    if (!originAllowed(request, config.publicUrl))
      throw new AppError('auth.origin_mismatch', 'This form was sent from another site and was refused.');
    if (!cookie || !form._csrf || !constantTimeEqual(cookie, form._csrf)) {
      throw new AppError('auth.csrf_failed', 'This form is out of date. Go back, reload the page and try again.');
    }
    return form;
  }

  async function frame(request: FastifyRequest, reply: FastifyReply, title: string): Promise<PageFrame> {
    let signedInAs: string | null = null;
    let canManageUsers = false;
    if (request.principal) {
      const profile = await services.profile(request.principal.userId);
      signedInAs = profile.loginName;
      canManageUsers = profile.canManageUsers;
    }
    return {
      title,
      csrf: csrfToken(request, reply),
      signedInAs,
      dev: config.dev,
      canManageUsers,
      restricted: request.principal?.restricted ?? false,
    };
  }

  function setSession(reply: FastifyReply, token: string) {
    reply.setCookie(SESSION_COOKIE, token, cookieBase);
  }

  const notice = (request: FastifyRequest) => notices[(request.query as Record<string, string>)?.notice ?? ''] ?? null;

  app.get('/assets/console.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(consoleCss),
  );

  app.get('/', { schema: { hide: true } }, async (request, reply) =>
    reply.redirect(request.principal ? '/overview' : '/login'),
  );

  // ---- sign-up and login -------------------------------------------------------------------
  app.get('/signup', { schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, <SignupPage frame={await frame(request, reply, 'Sign up')} message={null} />),
  );

  app.post('/signup', { schema: { hide: true } }, async (request, reply) => {
    const form = checkForm(request);
    const email = (form.email ?? '').trim();
    const password = form.password ?? '';
    const displayName = (form.displayName ?? '').trim();
    const show = async (text: string, status: number) =>
      sendPage(
        reply,
        <SignupPage
          frame={await frame(request, reply, 'Sign up')}
          message={{ kind: 'error', text }}
          email={email}
          displayName={displayName}
        />,
        status,
      );
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
      return show('Enter a valid email address.', 400);
    if (password.length < 8 || password.length > 256)
      return show('The password must be 8 to 256 characters long.', 400);
    if (displayName.length > 100) return show('The display name can be at most 100 characters.', 400);
    try {
      await services.accounts.signup({ email, password, displayName: displayName || undefined }, requestMeta(request));
      const login = await services.sessions.login({ login: email, password }, requestMeta(request));
      if (login.status === 'authenticated') setSession(reply, login.session.token);
      return reply.redirect('/overview?notice=welcome', 303);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return show(error.message, error.status);
      throw error;
    }
  });

  app.get('/login', { schema: { hide: true } }, async (request, reply) => {
    if (request.principal) return reply.redirect('/overview');
    return sendPage(reply, <LoginPage frame={await frame(request, reply, 'Log in')} message={notice(request)} />);
  });

  app.post('/login', { schema: { hide: true } }, async (request, reply) => {
    const form = checkForm(request);
    const login = (form.login ?? '').trim();
    try {
      if (!login || login.length > 320 || !form.password || form.password.length > 256)
        throw new AppError('auth.invalid_credentials', 'The login or password is not correct.');
      const result = await services.sessions.login({ login, password: form.password }, requestMeta(request));
      if (result.status === 'mfa_required') {
        reply.setCookie(CHALLENGE_COOKIE, result.challenge.id, { ...cookieBase, path: '/login', maxAge: 300 });
        return reply.redirect('/login/mfa', 303);
      }
      setSession(reply, result.session.token);
      // A sub-user that must use MFA and has no device yet: straight to binding (restricted session).
      return reply.redirect(
        result.status === 'mfa_enrollment_required' ? '/account/security/mfa/bind' : '/overview',
        303,
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      return sendPage(
        reply,
        <LoginPage
          frame={await frame(request, reply, 'Log in')}
          message={{ kind: 'error', text: error.message }}
          login={login}
        />,
        error.status,
      );
    }
  });

  app.get('/login/mfa', { schema: { hide: true } }, async (request, reply) => {
    if (!request.cookies[CHALLENGE_COOKIE]) return reply.redirect('/login');
    return sendPage(
      reply,
      <MfaCodePage frame={await frame(request, reply, 'Dynamic code')} message={null} showClockHint={false} />,
    );
  });

  app.post('/login/mfa', { schema: { hide: true } }, async (request, reply) => {
    const form = checkForm(request);
    const challengeId = request.cookies[CHALLENGE_COOKIE];
    if (!challengeId) return reply.redirect('/login?notice=expired', 303);
    const code = (form.code ?? '').trim();
    try {
      if (!/^[0-9]{6}$/.test(code))
        throw new AppError('validation.failed', 'Enter the 6 digits shown in your authenticator app.');
      const result = await services.sessions.completeMfa({ challengeId, code }, requestMeta(request));
      reply.clearCookie(CHALLENGE_COOKIE, { path: '/login' });
      setSession(reply, result.session.token);
      return reply.redirect('/overview', 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'auth.challenge_expired') {
        reply.clearCookie(CHALLENGE_COOKIE, { path: '/login' });
        return reply.redirect('/login?notice=expired', 303);
      }
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      // After any wrong code, tell people about the phone clock (seed 003); say it firmly when we detected it.
      return sendPage(
        reply,
        <MfaCodePage
          frame={await frame(request, reply, 'Dynamic code')}
          message={{ kind: 'error', text: error.message }}
          showClockHint={error.details.hint !== 'clock_skew'}
        />,
        error.status,
      );
    }
  });

  app.post('/logout', { config: { auth: 'restricted-ok' }, schema: { hide: true } }, async (request, reply) => {
    checkForm(request);
    await services.sessions.logout(request.principal!, requestMeta(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login?notice=signed-out', 303);
  });

  // ---- signed-in pages ---------------------------------------------------------------------
  /** Console pages send people to the login page instead of answering 401 JSON. */
  const RESTRICTED_PAGES = new Set([
    '/account/security/mfa/bind',
    '/account/security/mfa/bind/activate',
    '/account/security/step-up',
    '/account/security/step-up/send',
  ]);
  async function signedIn(request: FastifyRequest, reply: FastifyReply) {
    if (!request.principal) {
      reply.redirect('/login', 303);
      return null;
    }
    // A restricted session may only bind a device (and sign out); every other page sends it there.
    if (request.principal.restricted && !RESTRICTED_PAGES.has(request.url.split('?')[0]!)) {
      reply.redirect('/account/security/mfa/bind', 303);
      return null;
    }
    return request.principal;
  }

  app.get('/overview', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const profile = await services.profile(principal.userId);
    const deadline = profile.mfa.bound ? null : await services.workspaces.mfaDeadline(principal.userId);
    return sendPage(
      reply,
      <OverviewPage
        frame={await frame(request, reply, 'Overview')}
        message={notice(request)}
        displayName={profile.user.displayName}
        alias={profile.account.alias}
        mfa={{ bound: profile.mfa.bound, boundAt: profile.mfa.device?.boundAt }}
        mfaDeadline={deadline}
      />,
    );
  });

  app.get('/account/security', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const profile = await services.profile(principal.userId);
    const protection = await services.protection.protection(principal);
    return sendPage(
      reply,
      <SecurityPage
        frame={await frame(request, reply, 'Security Settings')}
        message={notice(request)}
        email={profile.user.email}
        mfa={{ bound: profile.mfa.bound, boundAt: profile.mfa.device?.boundAt }}
        protection={protection}
      />,
    );
  });

  async function stepUpPage(
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    purpose: string,
    message: { kind: 'error' | 'info'; text: string } | null = null,
    status = 200,
    pending?: StepUpOptions['pending'],
    resume?: ResumeForm,
  ) {
    const userId = request.principal!.userId;
    const totp = (await services.devices.status(request.principal!)).bound;
    const options: StepUpOptions = {
      totp,
      channels: totp ? [] : await services.verification.optionsFor(userId),
      pending,
    };
    return sendPage(
      reply,
      <StepUpPage
        frame={await frame(request, reply, 'Verify')}
        message={message}
        options={options}
        next={next}
        purpose={purpose}
        resume={resume}
      />,
      status,
    );
  }

  /** The POSTed form to resume after a step-up (our own path, string fields, no CSRF token). */
  function resumeOf(request: FastifyRequest): ResumeForm | undefined {
    if (request.method !== 'POST') return undefined;
    const fields = formOf(request);
    delete fields._csrf;
    return { action: request.url.split('?')[0]!, fields };
  }

  function resumeFromForm(form: Form): ResumeForm | undefined {
    const action = form._resumeAction;
    if (!action || !/^\/(?!\/)[A-Za-z0-9/_-]*$/.test(action) || !form._resumeFields || form._resumeFields.length > 4000)
      return undefined;
    try {
      const parsed = JSON.parse(form._resumeFields) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      const fields = Object.fromEntries(
        Object.entries(parsed as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && !e[0].startsWith('_'),
        ),
      );
      return { action, fields };
    } catch {
      return undefined;
    }
  }

  app.post('/account/security/step-up/send', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const form = checkForm(request);
    const next = safeNext(form.next);
    const channel = form.channel === 'sms' ? 'sms' : 'email';
    const resume = resumeFromForm(form);
    try {
      const sent = await services.verification.send(principal, channel, requestMeta(request));
      return stepUpPage(
        request,
        reply,
        next,
        purposeOf(next),
        null,
        200,
        { verificationId: sent.id, channel, destination: sent.destination },
        resume,
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      return stepUpPage(
        request,
        reply,
        next,
        purposeOf(next),
        { kind: 'error', text: error.message },
        error.status,
        undefined,
        resume,
      );
    }
  });

  app.post('/account/security/step-up', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const form = checkForm(request);
    const next = safeNext(form.next);
    const purpose = purposeOf(next);
    const resume = resumeFromForm(form);
    try {
      if (form.method === 'totp') {
        if (!/^[0-9]{6}$/.test(form.code ?? ''))
          throw new AppError('validation.failed', 'Enter the 6 digits shown in your authenticator app.');
        const result = await services.stepUp.stepUp(
          principal,
          { method: 'totp', code: form.code! },
          requestMeta(request),
        );
        // The session was rotated (first proof of the device in it): follow with the new cookie.
        if ('session' in result && result.session) setSession(reply, result.session.token);
      } else if (form.method === 'email' || form.method === 'sms') {
        if (!/^[0-9]{6}$/.test(form.code ?? ''))
          throw new AppError('validation.failed', 'Enter the 6 digits from the message.');
        await services.stepUp.stepUp(
          principal,
          { method: form.method, verificationId: form.verificationId ?? '', code: form.code! },
          requestMeta(request),
        );
      } else {
        await services.stepUp.stepUp(
          principal,
          { method: 'password', password: form.password ?? '' },
          requestMeta(request),
        );
      }
      // Continue the operation the user started: one click re-sends it (no JavaScript needed).
      if (resume)
        return sendPage(
          reply,
          <ContinuePage frame={await frame(request, reply, 'Verified')} resume={resume} purpose={purpose} />,
        );
      return reply.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      // A mistyped email/SMS code: keep asking for the same code.
      const pending =
        (form.method === 'email' || form.method === 'sms') &&
        error.code === 'verification.invalid_code' &&
        form.verificationId
          ? {
              verificationId: form.verificationId,
              channel: form.method as 'email' | 'sms',
              destination:
                (await services.verification.optionsFor(principal.userId)).find((o) => o.channel === form.method)
                  ?.destination ?? '',
            }
          : undefined;
      return stepUpPage(
        request,
        reply,
        next,
        purpose,
        { kind: 'error', text: error.message },
        error.status,
        pending,
        resume,
      );
    }
  });

  app.get('/account/security/mfa/bind', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    if ((await services.devices.status(principal)).bound) return reply.redirect('/account/security');
    // Seed 004: before binding, identity is verified (by an email or SMS code where one can reach the
    // user). A restricted session gets the same page; the API lets it bind without (API.md).
    const needsVerification =
      !services.stepUp.isFresh(principal) &&
      (!principal.restricted || (await services.verification.optionsFor(principal.userId)).length > 0);
    if (needsVerification)
      return stepUpPage(request, reply, '/account/security/mfa/bind', 'Binding a virtual MFA device');
    const required = principal.restricted
      ? {
          kind: 'info' as const,
          text: 'Your account requires virtual MFA. Bind an authenticator app to continue; until then you can only sign out.',
        }
      : null;
    return sendPage(
      reply,
      <BindStartPage frame={await frame(request, reply, 'Bind virtual MFA')} message={required} />,
    );
  });

  async function bindPage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: Awaited<ReturnType<typeof services.enrollment.start>>,
    message: { kind: 'error'; text: string } | null,
    showClockHint: boolean,
    status = 200,
  ) {
    const profile = await services.profile(request.principal!.userId);
    const accountName = profile.loginName;
    return sendPage(
      reply,
      <BindPage
        frame={await frame(request, reply, 'Bind virtual MFA')}
        message={message}
        showClockHint={showClockHint}
        enrollment={view.enrollment}
        issuer={config.issuer}
        accountName={accountName}
        codesRequired={config.mfaActivationCodes}
      />,
      status,
    );
  }

  app.post('/account/security/mfa/bind', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    checkForm(request);
    try {
      const view = await services.enrollment.start(principal, requestMeta(request));
      return bindPage(request, reply, view, null, false);
    } catch (error) {
      if (error instanceof AppError && error.code === 'auth.step_up_required')
        return stepUpPage(request, reply, '/account/security/mfa/bind', 'Binding a virtual MFA device');
      if (error instanceof AppError && error.code === 'mfa.already_bound')
        return reply.redirect('/account/security', 303);
      throw error;
    }
  });

  app.post('/account/security/mfa/bind/activate', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const form = checkForm(request);
    const enrollmentId = form.enrollmentId ?? '';
    const codes = [form.code1, form.code2].slice(0, config.mfaActivationCodes).map((c) => (c ?? '').trim());
    try {
      if (!codes.every((c) => /^[0-9]{6}$/.test(c)))
        throw new AppError('validation.failed', 'Each code is the 6 digits shown in your authenticator app.');
      const result = await services.enrollment.activate(principal, { enrollmentId, codes }, requestMeta(request));
      // Activation rotates the session: the console follows with the new cookie.
      if (result.session) setSession(reply, result.session.token);
      return reply.redirect(principal.restricted ? '/overview?notice=bound' : '/account/security?notice=bound', 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const pending = await services.enrollment.pending(principal, enrollmentId);
      if (!pending)
        return sendPage(
          reply,
          <BindStartPage
            frame={await frame(request, reply, 'Bind virtual MFA')}
            message={{ kind: 'error', text: error.message }}
          />,
          error.status,
        );
      return bindPage(
        request,
        reply,
        pending,
        { kind: 'error', text: error.message },
        error.details.hint !== 'clock_skew',
        error.status,
      );
    }
  });

  app.get('/account/security/mfa/unbind', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    if (!(await services.devices.status(principal)).bound) return reply.redirect('/account/security');
    if (!services.stepUp.isFresh(principal))
      return stepUpPage(request, reply, '/account/security/mfa/unbind', 'Unbinding the virtual MFA device');
    return sendPage(
      reply,
      <UnbindPage frame={await frame(request, reply, 'Unbind virtual MFA')} message={null} showClockHint={false} />,
    );
  });

  app.post('/account/security/mfa/unbind', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const form = checkForm(request);
    try {
      if (!/^[0-9]{6}$/.test(form.code ?? ''))
        throw new AppError('validation.failed', 'Enter the 6 digits shown in your authenticator app.');
      await services.devices.unbind(principal, { code: form.code! }, requestMeta(request));
      return reply.redirect('/account/security?notice=unbound', 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'auth.step_up_required')
        return stepUpPage(request, reply, '/account/security/mfa/unbind', 'Unbinding the virtual MFA device');
      if (error.code === 'mfa.not_bound') return reply.redirect('/account/security', 303);
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      return sendPage(
        reply,
        <UnbindPage
          frame={await frame(request, reply, 'Unbind virtual MFA')}
          message={{ kind: 'error', text: error.message }}
          showClockHint={error.details.hint !== 'clock_skew'}
        />,
        error.status,
      );
    }
  });

  app.post('/account/security/protection', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const form = checkForm(request);
    const method = form.sensitiveOperations;
    try {
      if (method !== 'totp' && method !== 'email' && method !== 'sms' && method !== 'password')
        throw new AppError('validation.failed', 'Pick one of the offered methods.');
      await services.protection.setProtection(principal, method, requestMeta(request));
      return reply.redirect('/account/security?notice=protection', 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'auth.step_up_required')
        return stepUpPage(
          request,
          reply,
          '/account/security',
          'Changing how sensitive operations are verified',
          null,
          200,
          undefined,
          resumeOf(request),
        );
      return sendPage(
        reply,
        <ErrorPage frame={await frame(request, reply, 'Not possible')} title="Not possible" text={error.message} />,
        error.status,
      );
    }
  });

  app.get('/audit', { schema: { hide: true } }, async (request, reply) => {
    const principal = await signedIn(request, reply);
    if (!principal) return reply;
    const query = request.query as Record<string, string | undefined>;
    const type = query.type && auditEventTypes.includes(query.type as AuditEventType) ? query.type : undefined;
    const userId = query.userId && /^[A-Za-z0-9_-]{1,64}$/.test(query.userId) ? query.userId : undefined;
    const events = await services.auditQuery(principal, { limit: 200, type, userId });
    const profile = await services.profile(principal.userId);
    const people =
      profile.canManageUsers && principal.kind === 'root'
        ? [
            { id: principal.userId, label: `${profile.loginName} (you)` },
            ...(await services.users.list(principal)).map((u) => ({ id: u.id, label: u.username })),
          ]
        : [];
    return sendPage(
      reply,
      <AuditPage
        frame={await frame(request, reply, 'Audit log')}
        events={events}
        types={[...auditEventTypes]}
        people={people}
        selected={{ type, userId }}
      />,
    );
  });

  if (config.dev) {
    app.get('/dev/outbox', { schema: { hide: true } }, async (request, reply) => {
      // Dev mode only, like GET /api/v1/dev/outbox: readable without a session, as a test inbox.
      return sendPage(
        reply,
        <OutboxPage frame={await frame(request, reply, 'Outbox')} messages={await services.outbox()} />,
      );
    });
  }

  const context: ConsoleContext = {
    frame,
    checkForm,
    sendPage,
    signedIn,
    notice,
    stepUpPage: (request, reply, next, purpose) =>
      stepUpPage(request, reply, next, purpose, null, 200, undefined, resumeOf(request)),
    async failure(request, reply, error, next, purpose) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'auth.step_up_required')
        return stepUpPage(request, reply, next, purpose, null, 200, undefined, resumeOf(request));
      return sendPage(
        reply,
        <ErrorPage
          frame={await frame(request, reply, 'Not possible')}
          title={error.status === 404 ? 'Not found' : 'Not possible'}
          text={error.message}
        />,
        error.status,
      );
    },
    async formAction(request, reply, next, purpose, act) {
      const principal = await signedIn(request, reply);
      if (!principal) return reply;
      const form = checkForm(request);
      try {
        return reply.redirect(await act(principal, form), 303);
      } catch (error) {
        return context.failure(request, reply, error, next, purpose);
      }
    },
  };
  registerUserPages(app, deps, context);
  registerWorkspacePages(app, deps, context);

  // Console errors that escape a handler (CSRF, origin) render as a page, not JSON.
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError && error.status < 500) return renderConsoleError(reply, error);
    request.log.error({ err: error }, 'console request failed');
    return renderConsoleError(
      reply,
      new AppError('internal.error', 'Something went wrong on our side. The error was logged.'),
    );
  });
}

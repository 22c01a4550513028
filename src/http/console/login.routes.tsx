import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { codeFrom, credentialFrom, recoveryCodeFrom, type ConsoleKit } from './kit.js';
import { LoginPage, MfaCodePage } from './login.pages.js';
import type { Message } from './layout.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

/** Login (password, then the dynamic code or a passkey), sign-out. Sign-up: signup.routes.tsx. */
export function registerLoginPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  const publicPage = { page: 'public' as const };
  const challengeCookie = { httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies, path: '/login' };
  /** Passwordless sign-in is offered: it is on, and passkeys work with this public URL. */
  const passwordless = config.passwordless && kit.passkeysUnavailable === null;

  /**
   * The second step's methods, from the password step to the page it redirects to
   * (post/redirect/get), in a signed cookie beside the challenge's: the page offers the code field,
   * the passkey and the recovery code by them, with or without JavaScript. A passkey's request
   * options are not carried: "Use your passkey" asks `/login/mfa/options` for fresh ones each time,
   * so a refused or cancelled passkey can be tried again while the pending login has tries left.
   */
  function rememberMethods(reply: FastifyReply, methods: string[]) {
    reply.setCookie(kit.cookies.secondStep, JSON.stringify({ methods }), {
      ...challengeCookie,
      maxAge: 300,
      signed: true,
    });
  }
  function methodsOf(request: FastifyRequest): string[] | null {
    const signed = request.cookies[kit.cookies.secondStep];
    const unsigned = signed ? request.unsignCookie(signed) : null;
    if (!unsigned?.valid || unsigned.value === null) return null;
    try {
      const { methods } = JSON.parse(unsigned.value) as { methods?: unknown };
      return Array.isArray(methods) && methods.every((m) => typeof m === 'string') ? methods : null;
    } catch {
      return null;
    }
  }
  const forgetSecondStep = (reply: FastifyReply) => {
    reply.clearCookie(kit.cookies.challenge, challengeCookie);
    reply.clearCookie(kit.cookies.secondStep, challengeCookie);
  };

  app.get('/', { config: publicPage, schema: { hide: true } }, async (request, reply) =>
    reply.redirect(request.principal ? '/overview' : '/login'),
  );

  /**
   * Signing in again in a browser that was signed in (an application asked for a fresh sign-in):
   * the old session ends as replaced, so one browser holds one session.
   */
  async function endReplacedSession(request: FastifyRequest) {
    if (request.principal) await services.sessions.replaced(request.principal);
  }

  const loginPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    message: Message,
    login = '',
    status = 200,
  ) => {
    const t = textsIn(consoleLocaleOf(request));
    // On the way to an application: no console menu to wander into, and no sign-up (a new account
    // would belong to no one the application admits).
    const toApp = kit.continuation.peek(request) !== null;
    return kit.sendPage(
      reply,
      <LoginPage
        frame={{ ...(await kit.frame(request, reply, t.login.title)), focused: toApp }}
        message={message}
        login={login}
        passkeys={passwordless}
        signUp={!toApp}
      />,
      status,
    );
  };

  app.get('/login', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    // `again`: an application asked for a fresh sign-in (prompt=login, max_age, more factors): the
    // form even for a signed-in browser; the new session replaces the old one (decision 029).
    const again = (request.query as Record<string, string | undefined>).again === '1';
    if (request.principal && !(again && kit.continuation.peek(request)))
      return reply.redirect(kit.afterSignIn(request, '/overview'));
    const flash = kit.takeFlash(request, reply, '/login');
    // On the way to an application: say where the sign-in leads (and why again, when asked again,
    // or that another account is being chosen).
    const app = kit.continuation.read(request);
    const switching = (request.query as Record<string, string | undefined>).switch === '1';
    const toApp: Message = app
      ? {
          kind: 'info',
          text: switching
            ? t.oidc.switchFor(app.app)
            : again
              ? t.oidc.signInAgainFor(app.app)
              : t.oidc.signInFor(app.app),
        }
      : null;
    // Asked again for the same person: their login is filled in.
    const same =
      again && !switching && request.principal ? (await services.profile(request.principal.userId)).loginName : '';
    return loginPage(
      request,
      reply,
      flash?.message ?? kit.notice(request, t.notices) ?? toApp,
      flash?.values?.login ?? same,
    );
  });

  app.post('/login', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const login = (form.login ?? '').trim();
    try {
      if (!login || login.length > 320 || !form.password || form.password.length > 256)
        throw new AppError('auth.invalid_credentials', t.login.invalid);
      const result = await services.logins.login({ login, password: form.password }, requestMeta(request));
      if (result.status === 'mfa_required') {
        reply.setCookie(kit.cookies.challenge, result.challenge.id, { ...challengeCookie, maxAge: 300 });
        rememberMethods(reply, result.challenge.methods);
        return reply.redirect('/login/mfa', 303);
      }
      await endReplacedSession(request);
      kit.setSession(reply, result.session.token);
      // A sub-user that must use MFA and has no device yet: straight to binding (restricted session).
      return reply.redirect(
        result.status === 'mfa_enrollment_required'
          ? '/account/security/mfa/bind'
          : kit.afterSignIn(request, '/overview'),
        303,
      );
    } catch (error) {
      // Post/redirect/get: a reload never sends the refused login again.
      return kit.refuseTo(reply, error, '/login', { login });
    }
  });

  const codePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    pending: { login: string; triesLeft: number; recoveryPending: boolean } | null,
    message: Message,
    showClockHint: boolean,
    status = 200,
    recoveryFailed = false,
  ) => {
    const t = textsIn(consoleLocaleOf(request));
    const methods = methodsOf(request);
    const passkeyOnly = methods?.includes('webauthn') === true && !methods.includes('totp');
    return kit.sendPage(
      reply,
      <MfaCodePage
        methods={methods}
        frame={await kit.frame(request, reply, passkeyOnly ? t.codeStep.headingPasskey : t.codeStep.title)}
        message={message}
        showClockHint={showClockHint}
        login={pending?.login ?? null}
        triesLeft={pending?.triesLeft ?? null}
        recoveryFailed={recoveryFailed}
        recoveryPending={pending?.recoveryPending ?? false}
      />,
      status,
    );
  };

  const expired = (reply: FastifyReply) => {
    forgetSecondStep(reply);
    return reply.redirect('/login?notice=expired', 303);
  };

  app.get('/login/mfa', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const challengeId = request.cookies[kit.cookies.challenge];
    const pending = challengeId ? await services.logins.pendingLogin(challengeId) : null;
    if (!pending) return challengeId ? expired(reply) : reply.redirect('/login');
    const flash = kit.takeFlash(request, reply, '/login/mfa');
    const app = kit.continuation.read(request);
    return codePage(
      request,
      reply,
      pending,
      flash?.message ?? (app ? { kind: 'info', text: t.oidc.signInFor(app.app) } : null),
      flash?.hint === 'clock',
      200,
      flash?.hint === 'recovery',
    );
  });

  app.post('/login/mfa', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const form = kit.checkForm(request);
    const challengeId = request.cookies[kit.cookies.challenge];
    if (!challengeId) return reply.redirect('/login?notice=expired', 303);
    const byPasskey = form.method === 'webauthn';
    try {
      const byRecoveryCode = !byPasskey && form.recoveryCode !== undefined;
      const result = await services.logins.completeMfa(
        byPasskey
          ? { challengeId, credential: credentialFrom<AuthenticationResponseJSON>(request) }
          : byRecoveryCode
            ? { challengeId, recoveryCode: recoveryCodeFrom(form.recoveryCode) }
            : { challengeId, code: codeFrom(form.code) },
        requestMeta(request),
      );
      forgetSecondStep(reply);
      await endReplacedSession(request);
      kit.setSession(reply, result.session.token);
      // A workspace requires phishing-resistant MFA and this person has no passkey: a restricted
      // session that may only add one (issue 22).
      if (result.status === 'mfa_enrollment_required') return reply.redirect('/account/security/passkey-required', 303);
      // Signed in with a recovery code: the phone is probably lost; offer to replace it.
      return reply.redirect(
        kit.afterSignIn(request, byRecoveryCode ? '/account/security?notice=recovery-used' : '/overview'),
        303,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'auth.challenge_expired') return expired(reply);
      const pending = await services.logins.pendingLogin(challengeId);
      // After the last try, a form would only throw the next code away: back to the password.
      if (
        !pending &&
        error instanceof AppError &&
        ['mfa.invalid_code', 'mfa.invalid_recovery_code', 'mfa.invalid_credential'].includes(error.code)
      )
        return expired(reply);
      // A refused passkey spent its challenge; "Use your passkey" asks for fresh options next time.
      // Post/redirect/get: a reload never sends the wrong code again (it would spend a try). After any
      // wrong code, tell people about the phone clock (docs/design.md F12); say it firmly when detected.
      const hint = byPasskey
        ? undefined
        : form.recoveryCode !== undefined
          ? 'recovery'
          : error instanceof AppError && error.code === 'mfa.invalid_code' && error.details.hint !== 'clock_skew'
            ? 'clock'
            : undefined;
      return kit.refuseTo(reply, error, '/login/mfa', {}, hint);
    }
  });

  /**
   * "Use your passkey" on the second step asks here for fresh request options each time it is
   * pressed (a CSRF-checked POST; JSON, never a page). They replace the pending login's earlier ones
   * and take none of its tries (an assertion does).
   */
  app.post('/login/mfa/options', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    reply.header('cache-control', 'no-store');
    try {
      kit.checkForm(request);
      const challengeId = request.cookies[kit.cookies.challenge];
      if (!challengeId || challengeId.length > 200)
        throw new AppError('auth.challenge_expired', t.codeStep.passkeyExpired);
      return reply.send(await services.logins.secondStepPasskeyOptions(challengeId));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const message =
        error.code === 'auth.challenge_expired'
          ? t.codeStep.passkeyExpired
          : error.code === 'mfa.not_bound'
            ? t.codeStep.noPasskey
            : error.messageIn(consoleLocaleOf(request));
      return reply.status(error.status).send({ message });
    }
  });

  // ---- passwordless: a passkey alone (issue 22) ------------------------------------------------
  /** The passkey script asks here for a sign-in's options (a CSRF-checked POST; JSON, never a page). */
  app.post('/login/passkey/options', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    reply.header('cache-control', 'no-store');
    try {
      kit.checkForm(request);
      if (!passwordless) throw new AppError('request.not_found', t.errors.noPage);
      return reply.send(await services.logins.passkeyOptions(requestMeta(request)));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return reply.status(error.status).send({ message: error.message });
    }
  });

  app.post('/login/passkey', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    try {
      const challengeId = form.challengeId ?? '';
      if (!challengeId || challengeId.length > 200) throw new AppError('validation.failed', t.passkeys.noAnswer);
      const result = await services.logins.passkeyLogin(
        { challengeId, credential: credentialFrom<AuthenticationResponseJSON>(request) },
        requestMeta(request),
      );
      await endReplacedSession(request);
      kit.setSession(reply, result.session.token);
      return reply.redirect(kit.afterSignIn(request, '/overview'), 303);
    } catch (error) {
      // The same answer for every refusal (the services tell nothing more), in the passkey's words.
      if (error instanceof AppError && error.code === 'auth.invalid_credentials')
        return kit.flashRedirect(reply, '/login', { message: { kind: 'error', text: t.login.passkeyInvalid } });
      return kit.refuseTo(reply, error, '/login');
    }
  });

  app.post(
    '/logout',
    { config: { auth: 'restricted-ok', page: 'restricted-ok' }, schema: { hide: true } },
    async (request, reply) => {
      kit.checkForm(request);
      await services.sessions.logout(request.principal!, requestMeta(request));
      // The provider's session in this browser ends too: applications ask to sign in again, and
      // the next person to sign in here starts clean (decision 029).
      const providerSession = request.cookies[kit.cookies.oidcSession];
      if (providerSession) {
        await services.oidc.endProviderSession(providerSession);
        reply.clearCookie(kit.cookies.oidcSession, { path: '/' });
        reply.clearCookie(`${kit.cookies.oidcSession}.sig`, { path: '/' });
      }
      kit.endSession(reply);
      return reply.redirect('/login?notice=signed-out', 303);
    },
  );
}

import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { AppError } from '../../errors/app-error.js';
import { constantTimeEqual } from '../../crypto/random.js';
import type { Principal } from '../../domain/sessions/principal.js';
import type { AppDeps } from '../deps.js';
import { relyingPartyFor } from '../../domain/factors/passkey.js';
import { originAllowed } from '../plugins/auth.js';
import { cookieNames, createLinkSecrets } from '../plugins/cookies.js';
import { ErrorPage, type Message, type PageFrame } from './layout.js';
import { StepUpPage, type ResumeForm, type StepUpOptions } from './step-up.pages.js';
import { BindPage, RecoveryCodesPage } from './binding.pages.js';
import { renderIn, textsIn, type Catalogue } from './messages.js';
import type { Locale } from '../../i18n/locale.js';
import { errorTexts } from '../../i18n/errors/index.js';
import { consoleLocaleOf } from '../plugins/locale.js';

// Form fields as people type them (formOf, codeFrom, …): form-fields.ts, re-exported for the areas.
export * from './form-fields.js';
import { createContinuation } from './continuation.js';
import { formOf, purposeOfOperation, type Form } from './form-fields.js';

/**
 * The console kit: what every console area shares — CSRF, the page frame, the signed-in guard
 * (declared per route, like the API's `auth`), one failure handler, notices, and form parsing that
 * reuses the API's TypeBox formats. Areas register route/page pairs with it.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may open a console page: 'public' (anyone), 'signed-in' (the default: a full session),
     * 'restricted-ok' (also a restricted session, which may only bind a device or sign out).
     */
    page?: 'public' | 'signed-in' | 'restricted-ok';
  }
}

/** What a refused form hands to the page it redirects to: the message, a hint, what was typed. */
export interface Flash {
  message: NonNullable<Message>;
  values?: Record<string, string>;
  /** The code step: show the phone-clock hint, or the failure was of a recovery code. */
  hint?: 'clock' | 'recovery';
}

export function sendPage(reply: FastifyReply, page: VNode, status = 200) {
  reply.header('cache-control', 'no-store');
  // The same address answers in several languages: caches must keep them apart (RFC 9110 §12.5.5).
  reply.header('vary', 'accept-language, cookie');
  const html = renderIn(consoleLocaleOf(reply.request), () => render(page));
  return reply.status(status).type('text/html; charset=utf-8').send(`<!doctype html>${html}`);
}

/** Refusals of the address itself read as the console's own words, not the API's. */
function consoleText(error: AppError, t: Catalogue, locale: Locale): string {
  if (error.code === 'request.not_found') return t.errors.noPage;
  // The address itself: bad %-encoding, an over-long segment, or a parameter no page takes (NUL).
  const fields = (error.details.fields as { path?: string }[] | undefined) ?? [];
  if (
    error.code === 'request.invalid_url' ||
    (error.code === 'validation.failed' && fields.some((f) => f.path === 'params' || f.path === 'querystring'))
  )
    return t.errors.badAddress;
  return error.messageIn(locale);
}

export function renderConsoleError(reply: FastifyReply, error: AppError) {
  const t = textsIn(consoleLocaleOf(reply.request));
  const frame: PageFrame = { title: t.errors.title, csrf: '', signedInAs: null };
  if (error.details.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(error.details.retryAfterSeconds));
  const title = error.status >= 500 ? t.errors.title : error.status === 404 ? t.errors.notFound : t.errors.refused;
  return sendPage(
    reply,
    <ErrorPage frame={frame} title={title} text={consoleText(error, t, consoleLocaleOf(reply.request))} />,
    error.status,
  );
}

export function createConsoleKit(app: FastifyInstance, deps: AppDeps) {
  const { services, config } = deps;
  const cookieBase = { httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies, path: '/' };
  const cookies = cookieNames(config.secureCookies);
  const linkSecrets = createLinkSecrets(cookies, config.secureCookies);
  // The same relying party the services derive from TWOFOLD_PUBLIC_URL: null, or why passkeys
  // cannot work here (shown where a passkey would be offered, rather than a ceremony that fails).
  const rp = relyingPartyFor(config.publicUrl, config.issuer);
  const passkeysUnavailable = 'unavailable' in rp ? rp.unavailable : null;
  /** Why passkeys cannot work here, in the reader's language; null where they can. */
  const passkeysUnavailableIn = (locale: Locale) => ('unavailable' in rp ? rp.text(errorTexts[locale]) : null);

  /**
   * Where a restricted session must go: binding a first device, or — a device bound, but a
   * phishing-resistant workspace requires a passkey it lacks — adding a passkey.
   */
  async function restrictedHome(principal: Principal): Promise<string> {
    return (await services.devices.status(principal)).bound || (await passkeyRequiredNow(principal.userId))
      ? '/account/security/passkey-required'
      : '/account/security/mfa/bind';
  }

  /**
   * The workspaces that require a passkey of this user now (their grace period over) while the user
   * has none: an authenticator app would not get the user in, so only a passkey is offered.
   */
  async function passkeyRequiredNowBy(userId: string): Promise<string[]> {
    const now = services.clock();
    return (await services.workspaces.passkeyRequiredBy(userId)).filter((w) => w.deadline <= now).map((w) => w.name);
  }
  async function passkeyRequiredNow(userId: string): Promise<boolean> {
    return (await passkeyRequiredNowBy(userId)).length > 0;
  }

  // The signed-in guard, in one place: pages declare who may open them (`config.page`).
  app.addHook('preHandler', async (request, reply) => {
    const mode = request.routeOptions.config.page ?? 'signed-in';
    if (mode === 'public') return;
    if (!request.principal) {
      // A browser whose session ended elsewhere (a new device or password, "sign out everywhere")
      // is told why on /login, once: the stale cookie goes.
      const stale = request.cookies[cookies.session];
      const why = stale ? await services.sessions.whyEnded(stale) : null;
      if (stale) reply.clearCookie(cookies.session, cookieBase);
      return reply.redirect(
        why && why !== 'signed_out' && why !== 'rotated' ? `/login?notice=ended-${why}` : '/login',
        303,
      );
    }
    // A restricted session may only bind a device (and sign out); every other page sends it there.
    if (request.principal.restricted && mode !== 'restricted-ok')
      return reply.redirect(await restrictedHome(request.principal), 303);
  });

  function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    const existing = request.cookies[cookies.csrf];
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    reply.setCookie(cookies.csrf, token, cookieBase);
    return token;
  }

  /** Every console form carries the double-submit token and must come from our own origin. */
  function checkForm(request: FastifyRequest): Form {
    return checkCsrf(request, formOf(request));
  }

  /** The same check on fields read some other way (a multipart form with files). */
  function checkCsrf(request: FastifyRequest, form: Form): Form {
    const t = textsIn(consoleLocaleOf(request));
    const cookie = request.cookies[cookies.csrf];
    if (!originAllowed(request, config.publicUrl)) throw new AppError('auth.origin_mismatch', t.errors.otherSite);
    if (!cookie || !form._csrf || !constantTimeEqual(cookie, form._csrf)) {
      throw new AppError('auth.csrf_failed', t.errors.staleForm);
    }
    return form;
  }

  async function frame(request: FastifyRequest, reply: FastifyReply, title: string): Promise<PageFrame> {
    let signedInAs: string | null = null;
    let canManageUsers = false;
    let isOperator = false;
    let isPrimary = false;
    if (request.principal) {
      const profile = await services.profile(request.principal.userId);
      signedInAs = profile.loginName;
      canManageUsers = profile.canManageUsers;
      isOperator = profile.isOperator;
      isPrimary = profile.user.kind === 'root';
    }
    return {
      title,
      csrf: csrfToken(request, reply),
      signedInAs,
      dev: config.dev,
      canManageUsers,
      isOperator,
      isPrimary,
      restricted: request.principal?.restricted ?? false,
    };
  }

  const continuation = createContinuation(cookies, cookieBase);
  /** Where a finished sign-in (or binding) goes: the application waiting for it, or `fallback`. */
  function afterSignIn(request: FastifyRequest, fallback: string): string {
    return continuation.peek(request) ?? fallback;
  }

  function setSession(reply: FastifyReply, token: string) {
    reply.setCookie(cookies.session, token, cookieBase);
  }

  function endSession(reply: FastifyReply) {
    reply.clearCookie(cookies.session, cookieBase);
  }

  /**
   * Post/redirect/get for a refused form (decision 024: reloading a failed login posted it again): the
   * message and the typed values (never a password or a code) ride in a one-minute cookie on the
   * page's path, and the answer is a 303 to that page, which shows them once (`takeFlash`).
   */
  function flashRedirect(reply: FastifyReply, path: string, flash: Flash) {
    // Signed: only this server's own words come back on the page (a planted cookie is ignored).
    reply.setCookie(cookies.flash, JSON.stringify(flash), { ...cookieBase, path, maxAge: 60, signed: true });
    return reply.redirect(path, 303);
  }

  /** An expected refusal of a form, answered by a redirect to `path` that shows it (unexpected ones throw). */
  function refuseTo(
    reply: FastifyReply,
    error: unknown,
    path: string,
    values: Record<string, string> = {},
    hint?: Flash['hint'],
  ) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    if (error.details.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(error.details.retryAfterSeconds));
    return flashRedirect(reply, path, {
      message: { kind: 'error', text: error.messageIn(consoleLocaleOf(reply.request)) },
      values,
      ...(hint ? { hint } : {}),
    });
  }

  function takeFlash(request: FastifyRequest, reply: FastifyReply, path: string): Flash | null {
    const signed = request.cookies[cookies.flash];
    if (!signed) return null;
    reply.clearCookie(cookies.flash, { ...cookieBase, path });
    const unsigned = request.unsignCookie(signed);
    if (!unsigned.valid || unsigned.value === null) return null;
    try {
      const flash = JSON.parse(unsigned.value) as Flash;
      const kind = flash.message?.kind;
      if (typeof flash.message?.text !== 'string' || !['error', 'info', 'success'].includes(kind)) return null;
      // Only short strings come back into a form.
      const values = Object.fromEntries(
        Object.entries(flash.values ?? {}).filter(([, v]) => typeof v === 'string' && v.length <= 320),
      );
      const hint = flash.hint === 'clock' || flash.hint === 'recovery' ? flash.hint : undefined;
      return { message: flash.message, values, ...(hint ? { hint } : {}) };
    } catch {
      return null;
    }
  }

  /** A fixed notice chosen by the `notice` query key, so no user-controlled text is ever echoed. */
  function notice(request: FastifyRequest, table: Record<string, NonNullable<Message>>): Message {
    return table[(request.query as Record<string, string>)?.notice ?? ''] ?? null;
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

  /**
   * "Verify it's you" for a sensitive operation: offers exactly the methods the account allows
   * (a bound device, or the protection choice of docs/design.md F10), then continues the operation.
   */
  async function stepUpPage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: {
      next: string;
      purpose: string;
      message?: Message;
      status?: number;
      pending?: StepUpOptions['pending'];
      resume?: ResumeForm | undefined;
      passwordFailed?: boolean;
      operation?: string | undefined;
      /** Only a passkey will do (a phishing-resistant workspace): offer nothing else. */
      passkeyOnly?: boolean;
      /** Where "Cancel" goes; a passkey-only verification always has one. */
      cancel?: string;
    },
  ) {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const userId = principal.userId;
    const methods = await services.stepUp.methods(userId);
    const channels = (await services.verification.optionsFor(userId)).filter((o) => methods.includes(o.channel));
    // A passkey's request options, made for this page (their challenge is single use, 5 minutes).
    const passkey =
      methods.includes('webauthn') && passkeysUnavailable === null
        ? await services.stepUp.passkeyOptions(principal).catch((error: unknown) => {
            if (error instanceof AppError && error.status < 500) return undefined;
            throw error;
          })
        : undefined;
    const options: StepUpOptions = {
      passkey,
      passkeyOnly: view.passkeyOnly === true,
      totp: methods.includes('totp'),
      device: methods.includes('totp') || methods.includes('webauthn'),
      channels,
      password: methods.includes('password'),
      passwordOpen: view.passwordFailed === true || (channels.length === 0 && !methods.includes('totp')),
      pending: view.pending,
    };
    return sendPage(
      reply,
      <StepUpPage
        frame={await frame(request, reply, t.stepUp.title)}
        message={view.message ?? null}
        options={options}
        next={view.next}
        purpose={view.purpose}
        resume={view.resume}
        operation={view.operation}
        cancel={
          view.cancel ??
          (view.passkeyOnly ? (view.next.startsWith('/workspaces/') ? '/workspaces' : '/overview') : undefined)
        }
      />,
      view.status ?? 200,
    );
  }

  /** The recovery codes, shown once (after a first device, or a new set); `next` is where "Continue" goes. */
  async function recoveryCodesPage(request: FastifyRequest, reply: FastifyReply, codes: string[], next: string) {
    const t = textsIn(consoleLocaleOf(request));
    const profile = await services.profile(request.principal!.userId);
    const file = t.recoveryCodes.file(config.issuer, profile.loginName, codes);
    return sendPage(
      reply,
      <RecoveryCodesPage
        frame={await frame(request, reply, t.recoveryCodes.title)}
        codes={codes}
        file={file}
        next={next}
      />,
    );
  }

  /**
   * An app's binding page (QR code, key, consecutive codes) for a pending enrollment, posting the
   * codes to `page.action`: the first device's binding and another app's share it.
   */
  async function appBindingPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: {
      title: string;
      heading: string;
      enrollment: { id: string; secret: string; qrSvg: string; expiresAt: number; otpauthUri?: string };
      message: Message;
      showClockHint: boolean;
      action: string;
      cancel: string;
    },
    status = 200,
  ) {
    const profile = await services.profile(request.principal!.userId);
    return sendPage(
      reply,
      <BindPage
        frame={await frame(request, reply, page.title)}
        active="security"
        heading={page.heading}
        message={page.message}
        showClockHint={page.showClockHint}
        enrollment={page.enrollment}
        issuer={config.issuer}
        accountName={profile.loginName}
        codesRequired={config.mfaActivationCodes}
        action={page.action}
        cancel={page.cancel}
      />,
      status,
    );
  }

  /**
   * The one failure handler of console actions: a stale step-up asks for one and then continues the
   * operation; any other expected refusal renders `render` (the form again, with its message) or an
   * error page; unexpected errors go on to the error handler (500, logged).
   */
  async function failure(
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    context: {
      next: string;
      purpose: string;
      render?: (message: NonNullable<Message>, status: number) => unknown;
      /** false: the form is not carried through the step-up (it holds a password); the person sends it again. */
      resume?: boolean;
    },
  ) {
    const t = textsIn(consoleLocaleOf(request));
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    if (error.code === 'auth.step_up_required') {
      const resume = context.resume === false ? undefined : resumeOf(request);
      // The operation that asked names what the verification continues, not a guess from the page.
      const operation = typeof error.details.operation === 'string' ? error.details.operation : undefined;
      return stepUpPage(request, reply, {
        next: context.next,
        purpose: purposeOfOperation(operation, t) ?? context.purpose,
        resume,
        operation,
      });
    }
    if (error.details.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(error.details.retryAfterSeconds));
    const text = error.messageIn(consoleLocaleOf(request));
    if (context.render) return context.render({ kind: 'error', text }, error.status);
    return sendPage(
      reply,
      <ErrorPage
        frame={await frame(request, reply, t.errors.notPossible)}
        title={error.status === 404 ? t.errors.notFound : t.errors.notPossible}
        text={text}
      />,
      error.status,
    );
  }

  /**
   * A plain console form post: CSRF-checked, then `act`, which answers the page to redirect to
   * (post/redirect/get: a reload never posts twice); an expected failure goes to `failure`.
   */
  async function formAction(
    request: FastifyRequest,
    reply: FastifyReply,
    context: { next: string; purpose: string },
    act: (principal: Principal, form: Form) => Promise<string>,
  ) {
    const form = checkForm(request);
    try {
      return reply.redirect(await act(request.principal!, form), 303);
    } catch (error) {
      return failure(request, reply, error, context);
    }
  }

  return {
    services,
    config,
    cookies,
    linkSecrets,
    checkForm,
    checkCsrf,
    frame,
    setSession,
    endSession,
    flashRedirect,
    refuseTo,
    takeFlash,
    notice,
    resumeOf,
    resumeFromForm,
    stepUpPage,
    recoveryCodesPage,
    continuation,
    afterSignIn,
    appBindingPage,
    passkeysUnavailable,
    passkeysUnavailableIn,
    restrictedHome,
    passkeyRequiredNow,
    passkeyRequiredNowBy,
    failure,
    formAction,
    sendPage,
  };
}
export type ConsoleKit = ReturnType<typeof createConsoleKit>;

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { toAppError } from '../plugins/errors.js';
import type { AppDeps } from '../deps.js';
import { createConsoleKit, renderConsoleError } from './kit.js';
import { consoleCss } from './styles.js';
import { consoleScript } from './script.js';
import { passkeyScript, webauthnBrowserBundle } from './passkeys.js';
import { registerDevicePages } from './devices.routes.js';
import { registerLoginPages } from './login.routes.js';
import { registerSignupPages } from './signup.routes.js';
import { registerPasswordResetPages } from './password-reset.routes.js';
import { registerOverviewPage } from './overview.routes.js';
import { registerSecurityPages } from './security.routes.js';
import { registerStepUpPages } from './step-up.routes.js';
import { registerBindingPages } from './binding.routes.js';
import { registerProfilePages } from './profile.routes.js';
import { registerAuditPage } from './audit.routes.js';
import { registerSessionPages } from './sessions.routes.js';
import { registerUserPages } from './users.routes.js';
import { registerWorkspacePages } from './workspaces.routes.js';
import { registerDevPages } from './dev.routes.js';
import { registerRealNamePages } from './real-name.routes.js';
import { registerRecoveryPages } from './recovery.routes.js';
import { registerSupportPages } from './support.routes.js';
import { registerApplicationPages } from './applications.routes.js';
import { registerApiTokenPages } from './api-tokens.routes.js';
import { registerWebhookPages } from './webhooks.routes.js';
import { registerOidcPages } from './oidc.routes.js';
import { registerLanguagePages } from './language.routes.js';
import type { OidcHost } from '../oidc/provider.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

export { renderConsoleError } from './kit.js';

/**
 * The web console: server-rendered pages that work without JavaScript, one area per file pair
 * (`<area>.routes.tsx` + its pages), all built on the console kit.
 */
export function registerConsole(app: FastifyInstance, deps: AppDeps, oidc: OidcHost) {
  app.get('/assets/console.css', { config: { page: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(consoleCss),
  );
  app.get('/assets/console.js', { config: { page: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(consoleScript),
  );
  // Passkeys (issue 22): the WebAuthn browser library and our script, both from our own origin.
  const webauthn = webauthnBrowserBundle();
  app.get('/assets/webauthn.js', { config: { page: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(webauthn),
  );
  app.get('/assets/passkeys.js', { config: { page: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(passkeyScript),
  );
  const kit = createConsoleKit(app, deps);
  registerSignupPages(app, kit);
  registerLoginPages(app, kit);
  registerPasswordResetPages(app, kit);
  registerOverviewPage(app, kit);
  registerSecurityPages(app, kit);
  registerStepUpPages(app, kit);
  registerBindingPages(app, kit);
  registerDevicePages(app, kit);
  registerProfilePages(app, kit);
  registerSessionPages(app, kit);
  registerAuditPage(app, kit);
  registerUserPages(app, kit);
  registerWorkspacePages(app, kit);
  registerRealNamePages(app, kit);
  registerRecoveryPages(app, kit);
  registerSupportPages(app, kit);
  registerApplicationPages(app, kit);
  registerApiTokenPages(app, kit);
  registerWebhookPages(app, kit);
  registerOidcPages(app, kit, oidc);
  registerLanguagePages(app, kit);
  if (deps.config.dev) registerDevPages(app, kit);

  // Console errors that escape a handler (CSRF, origin) render as a page, never JSON.
  // A busy or unreachable service says so (503 with Retry-After), like the API does.
  app.setErrorHandler((error, request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const appError = toAppError(error as Error);
    if (appError.status < 500 || appError.code === 'service.unavailable') {
      if (appError.status >= 500) request.log.warn({ code: appError.code }, 'console request refused');
      return renderConsoleError(reply, appError);
    }
    request.log.error({ err: error }, 'console request failed');
    return renderConsoleError(reply, new AppError('internal.error', t.errors.internal));
  });
}

import type { FastifyInstance } from 'fastify';
import { Layout, Notice, type Message, type PageFrame } from './layout.js';
import { MfaStatusCard } from './security.pages.js';
import type { ConsoleKit } from './kit.js';
import { t } from './messages.js';

export function OverviewPage(props: {
  frame: PageFrame;
  message: Message;
  displayName: string;
  alias: string;
  mfa: { bound: boolean; boundAt?: string | undefined };
  mfaDeadline: number | null;
}) {
  return (
    <Layout {...props.frame} active="overview">
      <h1>{t.overview.welcome(props.displayName)}</h1>
      <Notice message={props.message} />
      {props.mfaDeadline !== null ? (
        <div class="banner" role="status" data-testid="mfa-banner">
          <strong>{t.overview.workspaceBanner}</strong>{' '}
          {t.overview.workspaceDeadline(t.format.dateTime(props.mfaDeadline))}{' '}
          <a href="/account/security/mfa/bind">{t.overview.bindNow}</a>
        </div>
      ) : null}
      <div class="grid">
        <section class="card">
          <h2>{t.overview.account}</h2>
          <p>
            {t.overview.alias} <code>{props.alias}</code>
          </p>
          <p class="muted small">
            {t.overview.subUsersLogIn} <code>username@{props.alias}</code>.
          </p>
        </section>
        <section class="card">
          <h2>{t.overview.security}</h2>
          <MfaStatusCard bound={props.mfa.bound} boundAt={props.mfa.boundAt} csrf={props.frame.csrf} />
          {props.mfa.bound ? null : <p class="muted small">{t.overview.recommend}</p>}
        </section>
      </div>
    </Layout>
  );
}

/** The landing page after login. */
export function registerOverviewPage(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  app.get('/overview', { schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal!;
    const profile = await services.profile(principal.userId);
    const deadline = profile.mfa.bound ? null : await services.workspaces.mfaDeadline(principal.userId);
    return kit.sendPage(
      reply,
      <OverviewPage
        frame={await kit.frame(request, reply, t.overview.title)}
        message={kit.notice(request, t.notices)}
        displayName={profile.user.displayName}
        alias={profile.account.alias}
        mfa={{ bound: profile.mfa.bound, boundAt: profile.mfa.device?.boundAt }}
        mfaDeadline={deadline}
      />,
    );
  });
}

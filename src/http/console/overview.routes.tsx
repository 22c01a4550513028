import type { FastifyInstance } from 'fastify';
import { Csrf, Layout, Notice, type Message, type PageFrame } from './layout.js';
import { MfaStatusCard, PasskeyDeadlineBanner } from './security.pages.js';
import type { ConsoleKit } from './kit.js';
import { t, textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

export function OverviewPage(props: {
  frame: PageFrame;
  message: Message;
  displayName: string;
  alias: string;
  mfa: { bound: boolean; boundAt?: string | undefined; devices: number; types?: string[] };
  mfaDeadline: number | null;
  /** Workspaces that will require a passkey this person has not added yet. */
  passkeyRequiredBy: { name: string; deadline: number }[];
  /** A sub-user sees its own login, not what the owner tells its sub-users. */
  subUserLogin: string | null;
  /** The device was bound by an administrator and this user has no recovery codes of it yet. */
  needsRecoveryCodes: boolean;
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
      <PasskeyDeadlineBanner workspaces={props.passkeyRequiredBy} />
      <div class="grid">
        <section class="card">
          <h2>{t.overview.account}</h2>
          {props.subUserLogin ? (
            <p data-testid="your-login">
              {t.overview.youLogIn} <code>{props.subUserLogin}</code>
            </p>
          ) : (
            <>
              <p>
                {t.overview.alias} <code>{props.alias}</code>
              </p>
              <p class="muted small">
                {t.overview.subUsersLogIn} <code>username@{props.alias}</code>.
              </p>
            </>
          )}
        </section>
        <section class="card">
          <h2>{t.overview.security}</h2>
          <MfaStatusCard
            bound={props.mfa.bound}
            boundAt={props.mfa.boundAt}
            csrf={props.frame.csrf}
            devices={props.mfa.devices}
            types={props.mfa.types}
          />
          {props.mfa.bound ? null : <p class="muted small">{t.overview.recommend}</p>}
          {props.needsRecoveryCodes ? (
            <div class="alert alert-info" data-testid="first-recovery-codes">
              <p>{props.subUserLogin ? t.overview.firstCodes : t.overview.noCodesYet}</p>
              <form method="post" action="/account/security/recovery-codes" class="inline">
                <Csrf value={props.frame.csrf} />
                <input type="hidden" name="next" value="/overview" />
                <button type="submit" class="primary">
                  {t.overview.makeCodes}
                </button>
              </form>
            </div>
          ) : null}
        </section>
      </div>
    </Layout>
  );
}

/** The landing page after login. */
export function registerOverviewPage(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  app.get('/overview', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
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
        mfa={{
          bound: profile.mfa.bound,
          boundAt: profile.mfa.device?.boundAt,
          devices: profile.mfa.devices.length,
          types: [...new Set(profile.mfa.devices.map((d) => d.type))],
        }}
        mfaDeadline={deadline}
        passkeyRequiredBy={await services.workspaces.passkeyRequiredBy(principal.userId)}
        subUserLogin={profile.user.kind === 'sub' ? profile.loginName : null}
        needsRecoveryCodes={profile.mfa.bound && (await services.recoveryCodes.neverHandedOut(principal))}
      />,
    );
  });
}

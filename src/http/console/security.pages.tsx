import { Csrf, Layout, Notice, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

export function MfaStatusCard(props: {
  bound: boolean;
  boundAt?: string | undefined;
  csrf: string;
  /** How many devices (issue 22): with several, "Unbind" gives way to the devices page. */
  devices?: number;
  /** The kinds of device the person has (totp, webauthn): the card describes those. */
  types?: string[];
}) {
  const types = props.types ?? [];
  // A passkey alone has no code to unbind with: it is removed on the devices page.
  const several = (props.devices ?? 0) > 1;
  const passkeyOnly = types.length > 0 && !types.includes('totp');
  return (
    <div class="setting">
      <div>
        <h3>{t.mfaCard.title}</h3>
        <p class="muted" data-testid="mfa-card-text">
          {t.mfaCard.textFor(types)}
        </p>
      </div>
      <div class="setting-state">
        <span class={props.bound ? 'badge badge-ok' : 'badge badge-off'} data-testid="mfa-status">
          {props.bound ? t.common.bound : t.common.notBound}
        </span>
        {props.bound && props.boundAt && !several ? (
          <span class="muted small">
            {t.mfaCard.since} <Time at={props.boundAt} dateOnly />
          </span>
        ) : null}
        {several ? (
          <span class="muted small" data-testid="device-count">
            {t.devices.count(props.devices!)}
          </span>
        ) : null}
        <a class="button" href="/account/security/devices" data-testid="devices-link">
          {t.mfaCard.devices}
        </a>
        {several || passkeyOnly ? null : props.bound ? (
          <a class="button" href="/account/security/mfa/unbind">
            {t.mfaCard.unbind}
          </a>
        ) : (
          <form method="post" action="/account/security/mfa/bind" class="inline">
            <Csrf value={props.csrf} />
            <button type="submit" class="primary">
              {t.mfaCard.bind}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

/**
 * Workspaces that will require a passkey this person lacks (issue 22): said before their grace
 * period ends, so a member with only an authenticator app is not surprised at a login.
 */
export function PasskeyDeadlineBanner(props: { workspaces: { name: string; deadline: number }[] }) {
  if (props.workspaces.length === 0) return null;
  return (
    <div class="banner" role="status" data-testid="passkey-banner">
      {props.workspaces.map((w) => (
        <p key={w.name} data-workspace={w.name}>
          {t.passkeys.deadlineBanner(w.name)} <Time at={w.deadline} />: {t.passkeys.addOneUnder}{' '}
          <a href="/account/security/devices">{t.devices.manage}</a>.
        </p>
      ))}
    </div>
  );
}

export function SecurityPage(props: {
  frame: PageFrame;
  message: Message;
  loginName: string;
  mfa: { bound: boolean; boundAt?: string | undefined; devices: number; passkeys: boolean; types?: string[] };
  protection: { sensitiveOperations: { method: string | null; choices: string[] } };
  recoveryCodesLeft: number | null;
  /** Primary accounts only: the state of the real-name record (docs/design.md F7). */
  realName: string | null;
  /** An open lost-device ticket of the account: a banner with Cancel. */
  openRecovery?: { status: string; effectiveAt?: string } | null | undefined;
  /** Workspaces that will require a passkey this person has not added yet. */
  passkeyRequiredBy?: { name: string; deadline: number }[];
}) {
  return (
    <Layout {...props.frame} active="security">
      <h1>{t.security.heading}</h1>
      <h2 class="sub">{t.security.settings}</h2>
      <Notice message={props.message} />
      <PasskeyDeadlineBanner workspaces={props.passkeyRequiredBy ?? []} />
      {props.openRecovery ? (
        <div class="alert alert-error" data-testid="recovery-banner">
          <p>
            {props.openRecovery.effectiveAt ? (
              <>
                {t.security.recoveryPendingUntil} <Time at={props.openRecovery.effectiveAt} />.
              </>
            ) : (
              t.security.recoveryPending
            )}{' '}
            {t.security.recoveryNotYou}
          </p>
          <form method="post" action="/account/security/recovery/cancel" class="inline">
            <Csrf value={props.frame.csrf} />
            <button type="submit" class="danger" data-testid="cancel-recovery">
              {t.recovery.cancel}
            </button>
          </form>
        </div>
      ) : null}
      <section class="card">
        <div class="setting">
          <div>
            <h3>{t.security.passwordTitle}</h3>
            <p class="muted">{t.security.passwordUsedWith(props.loginName)}</p>
          </div>
          <div class="setting-state">
            <span class="badge badge-ok">{t.security.passwordSet}</span>
            <a class="button" href="/account/profile#password">
              {t.security.change}
            </a>
          </div>
        </div>
        <MfaStatusCard
          bound={props.mfa.bound}
          boundAt={props.mfa.boundAt}
          csrf={props.frame.csrf}
          devices={props.mfa.devices}
          types={props.mfa.types}
        />
        {props.recoveryCodesLeft !== null ? (
          <div class="setting">
            <div>
              <h3>{t.recoveryCodes.settingTitle}</h3>
              <p class="muted">{t.recoveryCodes.settingText}</p>
            </div>
            <div class="setting-state">
              <span
                class={props.recoveryCodesLeft > 3 ? 'badge badge-ok' : 'badge badge-off'}
                data-testid="recovery-codes-left"
              >
                {t.recoveryCodes.left(props.recoveryCodesLeft)}
              </span>
              <form method="post" action="/account/security/recovery-codes" class="inline">
                <Csrf value={props.frame.csrf} />
                <button type="submit">{t.recoveryCodes.regenerate}</button>
              </form>
            </div>
          </div>
        ) : null}
      </section>
      <h2 class="sub">{t.security.protection}</h2>
      <section class="card">
        <div class="setting">
          <div>
            <h3>{t.security.loginScenario}</h3>
            <p class="muted">
              {props.mfa.passkeys
                ? t.security.loginBoundPasskey
                : props.mfa.bound
                  ? t.security.loginBound
                  : t.security.loginUnbound}
            </p>
          </div>
        </div>
        <div class="setting">
          <div>
            <h3>{t.security.sensitiveScenario}</h3>
            <p class="muted">{t.security.sensitiveText}</p>
          </div>
          <div class="setting-state">
            {props.mfa.bound ? (
              <span class="badge badge-ok">
                {props.mfa.passkeys ? t.security.methods.device : t.security.methods.totp}
              </span>
            ) : (
              <form method="post" action="/account/security/protection" class="inline-row">
                <Csrf value={props.frame.csrf} />
                <select name="sensitiveOperations" data-testid="protection-method">
                  {props.protection.sensitiveOperations.choices.map((c) => (
                    <option key={c} value={c} selected={props.protection.sensitiveOperations.method === c}>
                      {t.security.methods[c] ?? c}
                    </option>
                  ))}
                </select>
                <button type="submit">{t.common.save}</button>
              </form>
            )}
          </div>
        </div>
      </section>
      {props.realName ? (
        <section class="card">
          <div class="setting">
            <div>
              <h3>{t.realName.card}</h3>
              <p class="muted">{t.realName.cardText}</p>
            </div>
            <div class="setting-state">
              <span class={`badge badge-${props.realName}`}>
                {t.realName.states[props.realName as keyof typeof t.realName.states]}
              </span>
              <a class="button" href="/account/real-name" data-testid="real-name-link">
                {t.realName.open}
              </a>
            </div>
          </div>
        </section>
      ) : null}
    </Layout>
  );
}

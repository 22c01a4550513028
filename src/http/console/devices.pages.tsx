import { Csrf, Layout, NoScriptNote, Notice, PasskeyForm, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

/** A device as the services list it (never a secret, a key or a counter). */
export interface DeviceView {
  id: string;
  type: 'totp' | 'webauthn';
  name: string;
  boundAt: string;
  lastUsedAt: string | null;
}

/** "Authenticator app" or "Passkey", added and last used: one line under a device's name. */
export function DeviceFacts(props: { device: DeviceView }) {
  const d = props.device;
  return (
    <p class="muted small">
      <span data-testid="device-type">{t.devices.types[d.type] ?? d.type}</span> · {t.devices.added}{' '}
      <Time at={d.boundAt} dateOnly /> · {t.devices.lastUsed}{' '}
      {d.lastUsedAt ? <Time at={d.lastUsedAt} /> : t.devices.neverUsed}
    </p>
  );
}

/** Security Settings › MFA devices: every device with Rename and Remove, and adding another (issue 22). */
export function DevicesPage(props: {
  frame: PageFrame;
  message: Message;
  devices: DeviceView[];
  /** The most devices a person may have. */
  max: number;
  /** Why passkeys cannot work on this server, if they cannot. */
  passkeysUnavailable: string | null;
}) {
  const csrf = props.frame.csrf;
  return (
    <Layout {...props.frame} active="security" webauthn={props.passkeysUnavailable === null}>
      <p class="muted small">
        <a href="/account/security">{t.security.settings}</a> › {t.devices.breadcrumb}
      </p>
      <h1>{t.devices.title}</h1>
      <Notice message={props.message} />
      <p class="muted">{t.devices.intro}</p>
      <section class="card" data-testid="devices">
        {props.devices.length === 0 ? (
          <p class="muted">{t.devices.none}</p>
        ) : (
          props.devices.map((d) => (
            <div class="setting device" key={d.id} data-testid="device" data-device={d.name}>
              <div class="device-info">
                <h3 data-testid="device-name">{d.name}</h3>
                <DeviceFacts device={d} />
              </div>
              <div class="setting-state">
                <details class="rename">
                  <summary class="button" data-testid="rename-device">
                    {t.devices.rename}
                  </summary>
                  <form method="post" action={`/account/security/devices/${d.id}/rename`}>
                    <Csrf value={csrf} />
                    <label>
                      {t.devices.nameLabel}
                      <input name="name" type="text" required maxLength={64} value={d.name} />
                    </label>
                    <button type="submit">{t.devices.saveName}</button>
                  </form>
                </details>
                <form method="post" action={`/account/security/devices/${d.id}/remove`} class="inline">
                  <Csrf value={csrf} />
                  <button type="submit" class="danger" data-testid="remove-device">
                    {t.devices.remove}
                  </button>
                </form>
              </div>
            </div>
          ))
        )}
      </section>
      <h2 class="sub">{t.devices.addHeading}</h2>
      {props.devices.length >= props.max ? (
        <section class="card">
          <p class="muted" data-testid="device-limit">
            {t.devices.limit(props.max)}
          </p>
        </section>
      ) : (
        <div class="grid">
          <section class="card">
            <h3>{t.devices.addApp}</h3>
            <p class="muted small">{t.devices.addAppText}</p>
            <form method="post" action="/account/security/devices/app">
              <Csrf value={csrf} />
              <label>
                {t.devices.optionalName}
                <input name="name" type="text" maxLength={64} placeholder={t.devices.namePlaceholder} />
              </label>
              <button type="submit" class="primary" data-testid="add-app">
                {t.devices.addApp}
              </button>
            </form>
          </section>
          <section class="card" id="add-passkey">
            <h3>{t.devices.addPasskey}</h3>
            <p class="muted small">{t.devices.addPasskeyText}</p>
            {props.passkeysUnavailable ? (
              <div class="hint" data-testid="passkeys-unavailable">
                {t.devices.passkeysUnavailable} {props.passkeysUnavailable}
              </div>
            ) : (
              <AddPasskeyForm csrf={csrf} />
            )}
          </section>
        </div>
      )}
    </Layout>
  );
}

/** A name, then the page that creates the passkey (a plain form: it works before any script runs). */
export function AddPasskeyForm(props: { csrf: string }) {
  return (
    <form method="post" action="/account/security/devices/passkey">
      <Csrf value={props.csrf} />
      <label>
        {t.devices.optionalName}
        <input name="name" type="text" maxLength={64} placeholder={t.devices.namePlaceholder} />
      </label>
      <button type="submit" class="primary" data-testid="add-passkey">
        {t.devices.addPasskey}
      </button>
      {/* Without JavaScript the next page cannot create the passkey: say so here (the script hides it). */}
      <NoScriptNote kind="only" text={[t.devices.addPasskeyNeedsScript, t.devices.addPasskeyUnsupported]} />
    </form>
  );
}

/** The registration ceremony: the browser creates the passkey, the script posts its answer. */
export function PasskeyRegisterPage(props: {
  frame: PageFrame;
  message: Message;
  enrollmentId: string;
  options: unknown;
  expiresAt: number;
  cancel: string;
}) {
  return (
    <Layout {...props.frame} active="security" webauthn>
      <section class="card narrow">
        <h1>{t.passkeys.registerHeading}</h1>
        <Notice message={props.message} />
        <PasskeyForm
          action="/account/security/devices/passkey/activate"
          csrf={props.frame.csrf}
          mode="register"
          options={props.options}
          fields={{ enrollmentId: props.enrollmentId }}
          button={t.passkeys.create}
          primary
          testid="create-passkey"
          noScriptNote="only"
        >
          <p>{t.passkeys.registerIntro}</p>
        </PasskeyForm>
        <p class="muted small">
          {t.passkeys.expires(t.format.dateTime(props.expiresAt))} <a href={props.cancel}>{t.common.cancel}</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * A restricted session whose workspace requires phishing-resistant MFA and which has no passkey:
 * it says why, and adds one (or says why passkeys cannot work here).
 */
export function PasskeyRequiredPage(props: {
  frame: PageFrame;
  message: Message;
  reason: string;
  passkeysUnavailable: string | null;
}) {
  return (
    <Layout {...props.frame} webauthn={props.passkeysUnavailable === null}>
      <section class="card narrow" data-testid="passkey-required">
        <h1>{t.passkeys.requiredHeading}</h1>
        <div class="alert alert-info" role="status">
          {props.reason}
        </div>
        <Notice message={props.message} />
        {props.passkeysUnavailable ? (
          <div class="hint" data-testid="passkeys-unavailable">
            {t.devices.passkeysUnavailable} {props.passkeysUnavailable}
          </div>
        ) : (
          <AddPasskeyForm csrf={props.frame.csrf} />
        )}
      </section>
    </Layout>
  );
}

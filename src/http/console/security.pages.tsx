import {
  ActivationForm,
  Alert,
  CodeInput,
  Csrf,
  Layout,
  Notice,
  Time,
  type Message,
  type PageFrame,
} from './layout.js';
import { t } from './messages.js';

export function ClockHint() {
  return (
    <div class="hint">
      <strong>{t.clockHint.title}</strong> {t.clockHint.text}
    </div>
  );
}

/** The key in groups of four, as people copy it into an app by hand. */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function MfaStatusCard(props: { bound: boolean; boundAt?: string | undefined; csrf: string }) {
  return (
    <div class="setting">
      <div>
        <h3>{t.mfaCard.title}</h3>
        <p class="muted">{t.mfaCard.text}</p>
      </div>
      <div class="setting-state">
        <span class={props.bound ? 'badge badge-ok' : 'badge badge-off'} data-testid="mfa-status">
          {props.bound ? t.common.bound : t.common.notBound}
        </span>
        {props.bound && props.boundAt ? (
          <span class="muted small">
            {t.mfaCard.since} <Time at={props.boundAt} dateOnly />
          </span>
        ) : null}
        {props.bound ? (
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

export function SecurityPage(props: {
  frame: PageFrame;
  message: Message;
  loginName: string;
  mfa: { bound: boolean; boundAt?: string | undefined };
  protection: { sensitiveOperations: { method: string | null; choices: string[] } };
  recoveryCodesLeft: number | null;
}) {
  return (
    <Layout {...props.frame} active="security">
      <h1>{t.security.heading}</h1>
      <h2 class="sub">{t.security.settings}</h2>
      <Notice message={props.message} />
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
        <MfaStatusCard bound={props.mfa.bound} boundAt={props.mfa.boundAt} csrf={props.frame.csrf} />
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
            <p class="muted">{props.mfa.bound ? t.security.loginBound : t.security.loginUnbound}</p>
          </div>
        </div>
        <div class="setting">
          <div>
            <h3>{t.security.sensitiveScenario}</h3>
            <p class="muted">{t.security.sensitiveText}</p>
          </div>
          <div class="setting-state">
            {props.mfa.bound ? (
              <span class="badge badge-ok">{t.security.methods.totp}</span>
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
    </Layout>
  );
}

export interface StepUpOptions {
  /** The device is bound: only TOTP counts. */
  totp: boolean;
  /** Email/SMS destinations that may get a code now (masked), per the account's protection choice. */
  channels: { channel: 'email' | 'sms'; destination: string }[];
  /** The password is an allowed method. */
  password: boolean;
  /** Show the password form open (it is the only method, or a password was just refused). */
  passwordOpen: boolean;
  /** A code was just sent: ask for it. */
  pending?: { verificationId: string; channel: 'email' | 'sms'; destination: string } | undefined;
}

/** The form a sensitive operation was started from, carried through the verification. */
export interface ResumeForm {
  action: string;
  fields: Record<string, string>;
}

function ResumeInputs(props: { resume: ResumeForm | undefined }) {
  if (!props.resume) return null;
  return (
    <>
      <input type="hidden" name="_resumeAction" value={props.resume.action} />
      <input type="hidden" name="_resumeFields" value={JSON.stringify(props.resume.fields)} />
    </>
  );
}

/** After the verification: one click re-sends the operation the user started (works without JavaScript). */
export function ContinuePage(props: { frame: PageFrame; resume: ResumeForm; purpose: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{t.stepUp.verified}</h1>
        <Alert kind="success">{t.stepUp.continueWith(props.purpose)}</Alert>
        <form method="post" action={props.resume.action}>
          <Csrf value={props.frame.csrf} />
          {Object.entries(props.resume.fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit" class="primary" data-testid="continue">
            {t.stepUp.continue}
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function StepUpPage(props: {
  frame: PageFrame;
  message: Message;
  options: StepUpOptions;
  next: string;
  purpose: string;
  resume?: ResumeForm | undefined;
}) {
  const { options } = props;
  const hidden = (method: string) => (
    <>
      <Csrf value={props.frame.csrf} />
      <input type="hidden" name="method" value={method} />
      <input type="hidden" name="next" value={props.next} />
      <ResumeInputs resume={props.resume} />
    </>
  );
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>{t.stepUp.heading}</h1>
        <p>{t.stepUp.isSensitive(props.purpose)}</p>
        <Notice message={props.message} />
        {options.totp ? (
          <form method="post" action="/account/security/step-up">
            {hidden('totp')}
            <p class="muted">{t.stepUp.totpIntro}</p>
            <CodeInput name="code" label={t.common.code} autofocus />
            <button type="submit" class="primary">
              {t.common.verify}
            </button>
          </form>
        ) : (
          <>
            {options.pending ? (
              <form method="post" action="/account/security/step-up">
                {hidden(options.pending.channel)}
                <input type="hidden" name="verificationId" value={options.pending.verificationId} />
                <p class="muted">{t.stepUp.sent(options.pending.destination)}</p>
                <CodeInput name="code" label={t.stepUp.codeLabel} autofocus />
                <button type="submit" class="primary">
                  {t.common.verify}
                </button>
              </form>
            ) : null}
            {options.channels.map((c) => (
              <form method="post" action="/account/security/step-up/send" key={c.channel}>
                <Csrf value={props.frame.csrf} />
                <input type="hidden" name="channel" value={c.channel} />
                <input type="hidden" name="next" value={props.next} />
                <ResumeInputs resume={props.resume} />
                <button type="submit" class={options.pending ? '' : 'primary'} data-testid={`send-${c.channel}`}>
                  {options.pending?.channel === c.channel
                    ? t.stepUp.sendAgain
                    : c.channel === 'email'
                      ? t.stepUp.emailTo(c.destination)
                      : t.stepUp.textTo(c.destination)}
                </button>
              </form>
            ))}
            {options.password ? (
              <details class="alt" open={options.passwordOpen}>
                <summary>{t.stepUp.usePassword}</summary>
                <form method="post" action="/account/security/step-up">
                  {hidden('password')}
                  <label>
                    {t.common.password}
                    <input name="password" type="password" autoComplete="current-password" required maxLength={256} />
                  </label>
                  <button type="submit">{t.stepUp.withPassword}</button>
                </form>
              </details>
            ) : null}
          </>
        )}
      </section>
    </Layout>
  );
}

export function BindStartPage(props: { frame: PageFrame; message: Message }) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>{t.bind.heading}</h1>
        <Notice message={props.message} />
        <ol>
          {t.bind.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        <form method="post" action="/account/security/mfa/bind">
          <Csrf value={props.frame.csrf} />
          <button type="submit" class="primary">
            {t.bind.showQr}
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** The QR code, the key and the activation form; `action` and `cancel` differ for a sub-user. */
export function BindPage(props: {
  frame: PageFrame;
  active: 'security' | 'users';
  heading: string;
  message: Message;
  showClockHint: boolean;
  enrollment: { id: string; secret: string; qrSvg: string; expiresAt: number };
  issuer: string;
  accountName: string;
  codesRequired: 1 | 2;
  action: string;
  cancel: string;
}) {
  return (
    <Layout {...props.frame} active={props.active}>
      <section class="card">
        <h1>{props.heading}</h1>
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <div class="bind">
          <div>
            <h3>{t.bind.scan}</h3>
            <div class="qr" data-testid="qr" dangerouslySetInnerHTML={{ __html: props.enrollment.qrSvg }} />
          </div>
          <div>
            <h3>{t.bind.typeKey}</h3>
            <p class="muted small">
              {t.bind.keyHint}{' '}
              <strong>
                {props.issuer}: {props.accountName}
              </strong>
              {t.bind.timeBased}
            </p>
            <p class="key" data-testid="secret-key">
              {groupKey(props.enrollment.secret)}
            </p>
            <h3>{t.bind.enterCodes(props.codesRequired === 2)}</h3>
            <p class="muted small">{t.bind.codesHint(props.codesRequired === 2)}</p>
            <ActivationForm
              action={props.action}
              csrf={props.frame.csrf}
              enrollmentId={props.enrollment.id}
              codesRequired={props.codesRequired}
            />
            <p class="muted small">
              {t.bind.expires(t.format.dateTime(props.enrollment.expiresAt))}{' '}
              <a href={props.cancel}>{t.common.cancel}</a>
            </p>
          </div>
        </div>
      </section>
    </Layout>
  );
}

export function UnbindPage(props: {
  frame: PageFrame;
  message: Message;
  showClockHint: boolean;
  /** Workspaces that require MFA, which the user would lose access to. */
  workspaces: string[];
  /** The step-up is stale: the one code serves as the verification too. */
  codeIsVerification: boolean;
}) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>{t.unbind.heading}</h1>
        <p>{t.unbind.consequence}</p>
        {props.workspaces.length > 0 ? (
          <div class="hint" data-testid="workspace-warning">
            {t.unbind.workspaces(props.workspaces.join(', '))}
          </div>
        ) : null}
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <form method="post" action="/account/security/mfa/unbind">
          <Csrf value={props.frame.csrf} />
          {props.codeIsVerification ? <p class="muted small">{t.unbind.oneCode}</p> : null}
          <CodeInput name="code" label={t.unbind.codeLabel} autofocus />
          <button type="submit" class="danger">
            {t.unbind.submit}
          </button>
        </form>
        <details class="alt">
          <summary>{t.recoveryCodes.unbindWithOne}</summary>
          <form method="post" action="/account/security/mfa/unbind">
            <Csrf value={props.frame.csrf} />
            <label>
              {t.recoveryCodes.codeLabel}
              <input
                name="recoveryCode"
                type="text"
                autoComplete="off"
                required
                maxLength={24}
                placeholder={t.recoveryCodes.codePlaceholder}
              />
            </label>
            <button type="submit" class="danger">
              {t.recoveryCodes.unbindButton}
            </button>
          </form>
        </details>
        <p class="muted small">
          <a href="/account/security">{t.common.cancel}</a>
        </p>
      </section>
    </Layout>
  );
}

/** The recovery codes, shown once: download them, or tick that they are saved, to go on. */
export function RecoveryCodesPage(props: { frame: PageFrame; codes: string[]; file: string; next: string }) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow" data-testid="recovery-codes-page">
        <h1>{t.recoveryCodes.heading}</h1>
        <p>{t.recoveryCodes.intro}</p>
        <ol class="codes" data-testid="recovery-codes">
          {props.codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <p>
          <a
            class="button"
            download="twofold-recovery-codes.txt"
            href={`data:text/plain;charset=utf-8,${encodeURIComponent(props.file)}`}
            data-testid="download-codes"
          >
            {t.recoveryCodes.download}
          </a>
        </p>
        <p class="muted small">{t.recoveryCodes.print}</p>
        <form method="get" action={props.next.split('?')[0]}>
          {props.next.includes('?notice=') ? (
            <input type="hidden" name="notice" value={props.next.split('?notice=')[1]} />
          ) : null}
          <label class="check">
            <input type="checkbox" name="saved" value="1" required data-testid="codes-saved" /> {t.recoveryCodes.saved}
          </label>
          <button type="submit" class="primary" data-testid="codes-continue">
            {t.recoveryCodes.continue}
          </button>
        </form>
      </section>
    </Layout>
  );
}

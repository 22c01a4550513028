import {
  Alert,
  CodeInput,
  Csrf,
  Layout,
  Notice,
  PasskeyForm,
  RecoveryCodeInput,
  type Message,
  type PageFrame,
} from './layout.js';
import { t } from './messages.js';

export interface StepUpOptions {
  /** The user has an authenticator app: a code from it counts. */
  totp: boolean;
  /** The user has a device of any kind: only a device (or a recovery code) proves it. */
  device: boolean;
  /** The user has a passkey (and passkeys work here): its request options, made for this page. */
  passkey?: { options: unknown } | undefined;
  /** Only a passkey will do (a workspace that requires phishing-resistant MFA). */
  passkeyOnly?: boolean;
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
  /** The sensitive operation that asked, carried so every answer names it the same way. */
  operation?: string | undefined;
  /** Where "Cancel" goes (a page that does not ask for this verification again). */
  cancel?: string | undefined;
}) {
  const { options } = props;
  // A device is bound: only a device proves it (or a recovery code in its place).
  const device = options.device || options.totp || options.passkey !== undefined;
  const operation = props.operation ? <input type="hidden" name="operation" value={props.operation} /> : null;
  const hidden = (method: string) => (
    <>
      <Csrf value={props.frame.csrf} />
      <input type="hidden" name="method" value={method} />
      <input type="hidden" name="next" value={props.next} />
      {operation}
      <ResumeInputs resume={props.resume} />
    </>
  );
  return (
    <Layout {...props.frame} active="security" webauthn={options.passkey !== undefined}>
      <section class="card narrow">
        <h1>{t.stepUp.heading}</h1>
        <p>{t.stepUp.isSensitive(props.purpose)}</p>
        <Notice message={props.message} />
        {options.passkey ? (
          <PasskeyForm
            action="/account/security/step-up"
            csrf={props.frame.csrf}
            mode="authenticate"
            options={options.passkey.options}
            fields={{
              method: 'webauthn',
              next: props.next,
              ...(props.operation ? { operation: props.operation } : {}),
              ...(options.passkeyOnly ? { passkeyOnly: '1' } : {}),
              ...(props.resume
                ? { _resumeAction: props.resume.action, _resumeFields: JSON.stringify(props.resume.fields) }
                : {}),
            }}
            button={t.passkeys.use}
            primary
            testid="step-up-passkey"
            noScriptNote={options.passkeyOnly === true ? 'only' : options.totp ? false : 'recovery'}
          >
            <p class="muted">
              {options.passkeyOnly
                ? t.stepUp.passkeyOnly
                : options.totp
                  ? t.stepUp.passkeyOrCode
                  : t.stepUp.passkeyIntro}
            </p>
          </PasskeyForm>
        ) : options.passkeyOnly ? (
          <div class="hint" data-testid="no-passkey">
            {t.passkeys.noPasskeyForWorkspace} <a href="/account/security/devices#add-passkey">{t.devices.manage}</a>
          </div>
        ) : null}
        {options.passkeyOnly ? null : options.totp ? (
          <form method="post" action="/account/security/step-up">
            {hidden('totp')}
            {options.passkey ? null : <p class="muted">{t.stepUp.totpIntro}</p>}
            <CodeInput name="code" label={t.common.code} autofocus />
            <button type="submit" class={options.passkey ? '' : 'primary'}>
              {t.common.verify}
            </button>
          </form>
        ) : null}
        {options.passkeyOnly ? null : device ? (
          <details class="alt">
            <summary>{t.recoveryCodes.stepUpWithOne}</summary>
            <form method="post" action="/account/security/step-up">
              {hidden('recovery_code')}
              <RecoveryCodeInput />
              <button type="submit" data-testid="step-up-recovery-code">
                {t.common.verify}
              </button>
            </form>
          </details>
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
                {operation}
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
        {props.cancel ? (
          <p class="muted small">
            <a href={props.cancel} data-testid="step-up-cancel">
              {t.common.cancel}
            </a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

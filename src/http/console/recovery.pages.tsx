import { Alert, CodeInput, Csrf, Layout, Notice, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';
import { FactsFields } from './real-name.pages.js';

/** Who can file a lost-phone request, said before anything is typed (decision 024), and where else to turn. */
function Eligibility(props: { supportContact: string | null }) {
  return (
    <div class="alert alert-info" data-testid="recovery-eligibility">
      <p>{t.recovery.eligibleIntro}</p>
      <ul>
        <li>{t.recovery.eligibleRealName}</li>
        <li>{t.recovery.eligibleContact}</li>
      </ul>
      <p>
        {props.supportContact ? (
          <a href={props.supportContact} data-testid="support-contact">
            {t.recovery.contactSupport}
          </a>
        ) : (
          t.recovery.noSupportContact
        )}
      </p>
    </div>
  );
}

/** /recovery, step 1: the login to e-mail a code to. */
export function RecoveryStartPage(props: { frame: PageFrame; message: Message; supportContact: string | null }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{t.recovery.heading}</h1>
        <p>{t.recovery.intro}</p>
        <Alert kind="info">{t.recovery.recoveryFirst}</Alert>
        <Eligibility supportContact={props.supportContact} />
        <p class="muted small">{t.recovery.subUsers}</p>
        <Notice message={props.message} />
        <form method="post" action="/recovery" data-testid="recovery-start">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.recovery.login}
            <input name="login" type="text" required maxLength={320} autoComplete="username" autoFocus />
          </label>
          <button type="submit" class="primary">
            {t.recovery.sendCode}
          </button>
        </form>
        <p class="muted small">
          <a href="/login">{t.recovery.backToLogin}</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * /recovery/ticket, step 2: the code and the ticket with its evidence (multipart, for the files).
 * The login and the code's verification travel in a cookie on this path, not in the form, so no
 * refusal can lose them; `values` refills what was typed (never the code, never the files).
 * The text fields come before the files: the server checks them before it reads a file.
 */
export function RecoveryTicketPage(props: {
  frame: PageFrame;
  message: Message;
  login: string;
  values?: Record<string, string> | undefined;
  maxFileMegabytes: number;
}) {
  const values = props.values ?? {};
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{t.recovery.heading}</h1>
        <Alert kind="info">{t.recovery.codeSentTo(props.login)}</Alert>
        <Notice message={props.message} />
        <form method="post" action="/recovery/ticket" enctype="multipart/form-data" data-testid="recovery-ticket">
          <Csrf value={props.frame.csrf} />
          <CodeInput name="code" label={t.recovery.code} autofocus />
          <label>
            {t.recovery.ticketTitle}
            <input
              name="title"
              type="text"
              required
              maxLength={200}
              value={values.title ?? t.recovery.ticketTitleValue}
            />
          </label>
          <label>
            {t.recovery.description}
            <textarea name="description" required maxLength={4000} rows={3}>
              {values.description ?? ''}
            </textarea>
          </label>
          <FactsFields prefix="evidence" values={values} />
          <label class="check">
            <input type="checkbox" name="consent" value="1" required checked={values.consent === '1'} />{' '}
            {t.recovery.consent}
          </label>
          <label>
            {t.recovery.files(props.maxFileMegabytes)}
            <input
              name="evidence"
              type="file"
              multiple
              accept="image/jpeg,image/png,application/pdf"
              data-max-bytes={props.maxFileMegabytes * 1024 * 1024}
              data-max-files={3}
              data-too-large={t.recovery.fileTooLarge(props.maxFileMegabytes)}
              data-too-many={t.recovery.tooManyFiles}
            />
          </label>
          {values.title !== undefined ? <p class="muted small">{t.recovery.chooseFilesAgain}</p> : null}
          <button type="submit" class="primary">
            {t.recovery.submit}
          </button>
        </form>
        <form method="post" action="/recovery/ticket/new-code" class="inline">
          <Csrf value={props.frame.csrf} />
          <button type="submit" class="link" data-testid="new-code">
            {t.recovery.newCode}
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function RecoverySubmittedPage(props: { frame: PageFrame; statusUrl: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="recovery-submitted">
        <h1>{t.recovery.submittedHeading}</h1>
        <Alert kind="success">{t.recovery.submitted}</Alert>
        <p>
          <a href={props.statusUrl} data-testid="status-link">
            {t.recovery.statusLink}
          </a>
        </p>
      </section>
    </Layout>
  );
}

type TicketStatus = keyof typeof t.recovery.states;

export function RecoveryStatusPage(props: {
  frame: PageFrame;
  ticket: { id: string; status: string; effectiveAt?: string } | null;
}) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{t.recovery.statusHeading}</h1>
        {props.ticket ? (
          <>
            <p>
              <span class={`badge badge-${props.ticket.status}`} data-testid="ticket-status">
                {t.recovery.states[props.ticket.status as TicketStatus] ?? props.ticket.status}
              </span>
            </p>
            {props.ticket.effectiveAt && props.ticket.status === 'cooling_off' ? (
              <p data-testid="effective-at">
                {t.recovery.willBeRemovedAt} <Time at={props.ticket.effectiveAt} />
                {'. '}
                {t.recovery.stillCancellable}
              </p>
            ) : null}
            {props.ticket.effectiveAt && props.ticket.status === 'completed' ? (
              <p data-testid="effective-at">
                {t.recovery.effectiveAt} <Time at={props.ticket.effectiveAt} />
              </p>
            ) : null}
          </>
        ) : (
          <Alert kind="error">{t.recovery.invalidLink}</Alert>
        )}
        <p class="muted small">
          <a href="/login">{t.recovery.backToLogin}</a>
        </p>
      </section>
    </Layout>
  );
}

/** The cancel link's page: a GET shows a button; only the POST cancels (links get prefetched and scanned). */
export function RecoveryCancelPage(props: {
  frame: PageFrame;
  message: Message;
  ticket: { id: string; status: string } | null;
  done: boolean;
}) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="recovery-cancel">
        <h1>{t.recovery.cancelHeading}</h1>
        <Notice message={props.message} />
        {!props.ticket ? (
          <Alert kind="error">{t.recovery.invalidLink}</Alert>
        ) : props.done ? (
          <Alert kind="success">{t.recovery.cancelled}</Alert>
        ) : props.ticket.status === 'cancelled' ? (
          <Alert kind="info">{t.recovery.alreadyCancelled}</Alert>
        ) : props.ticket.status === 'completed' || props.ticket.status === 'rejected' ? (
          <Alert kind="info">
            {t.recovery.alreadyClosed(t.recovery.states[props.ticket.status as TicketStatus] ?? props.ticket.status)}
          </Alert>
        ) : (
          <>
            <p>{t.recovery.cancelIntro}</p>
            <p>
              {t.support.columns.status}:{' '}
              <strong>{t.recovery.states[props.ticket.status as TicketStatus] ?? props.ticket.status}</strong>
            </p>
            <form method="post" action="/recovery/cancel">
              <Csrf value={props.frame.csrf} />
              <button type="submit" class="danger">
                {t.recovery.cancel}
              </button>
            </form>
          </>
        )}
        <p class="muted small">
          <a href="/login">{t.recovery.backToLogin}</a>
        </p>
      </section>
    </Layout>
  );
}

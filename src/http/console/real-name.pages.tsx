import { Alert, Csrf, Layout, Notice, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

/** A real-name record as its page shows it (docs/design.md F7). */
export interface RealNameView {
  type: 'personal' | 'enterprise' | null;
  status: 'none' | 'pending' | 'verified' | 'rejected';
  name?: string;
  idNumberLast4?: string;
  companyName?: string;
  reviewNote?: string;
  submittedAt?: string;
}

/**
 * The identity facts of a real-name record or a ticket; `prefix` names them `evidence[…]` on a
 * ticket. `values` refills what the person typed when the form comes back with a message.
 */
export function FactsFields(props: { prefix?: 'evidence'; values?: Record<string, string> | undefined }) {
  const name = (field: string) => (props.prefix ? `${props.prefix}[${field}]` : field);
  const value = (field: string) => props.values?.[name(field)] ?? '';
  const enterprise = value('type') === 'enterprise';
  return (
    <fieldset class="facts">
      <legend>{t.facts.type}</legend>
      <label class="inline-choice">
        <input type="radio" name={name('type')} value="personal" checked={!enterprise} /> {t.facts.personal}
      </label>
      <label class="inline-choice">
        <input type="radio" name={name('type')} value="enterprise" checked={enterprise} /> {t.facts.enterprise}
      </label>
      <label>
        {t.facts.name}
        <input name={name('name')} type="text" required maxLength={100} autoComplete="name" value={value('name')} />
      </label>
      <label>
        {t.facts.idNumber}
        <input
          name={name('idNumber')}
          type="text"
          required
          maxLength={64}
          autoComplete="off"
          value={value('idNumber')}
        />
      </label>
      <label>
        {t.facts.phone}
        <input name={name('phone')} type="tel" required maxLength={32} autoComplete="tel" value={value('phone')} />
      </label>
      <label>
        {t.facts.companyName}
        <input
          name={name('companyName')}
          type="text"
          maxLength={200}
          autoComplete="organization"
          value={value('companyName')}
        />
      </label>
      <label>
        {t.facts.licenseNumber}
        <input
          name={name('licenseNumber')}
          type="text"
          maxLength={64}
          autoComplete="off"
          value={value('licenseNumber')}
        />
      </label>
    </fieldset>
  );
}

/** Account Management › Real-name verification (docs/design.md F7). */
export function RealNamePage(props: {
  frame: PageFrame;
  message: Message;
  record: RealNameView;
  subUser: boolean;
  values?: Record<string, string> | undefined;
}) {
  const { record } = props;
  return (
    <Layout {...props.frame} active="security">
      <h1>{t.realName.heading}</h1>
      <p class="muted">{t.realName.intro}</p>
      <Notice message={props.message} />
      {props.subUser ? (
        <Alert kind="info">{t.realName.subUser}</Alert>
      ) : (
        <div class="grid">
          <section class="card">
            <h2>{t.realName.status}</h2>
            <p>
              <span class={`badge badge-${record.status}`} data-testid="real-name-status">
                {t.realName.states[record.status]}
              </span>
            </p>
            {record.status !== 'none' ? (
              <dl class="facts-list">
                <dt>{t.facts.name}</dt>
                <dd>{record.name}</dd>
                {record.companyName ? (
                  <>
                    <dt>{t.facts.companyName}</dt>
                    <dd>{record.companyName}</dd>
                  </>
                ) : null}
                <dt>{t.realName.idLast4}</dt>
                <dd>
                  <code>…{record.idNumberLast4}</code>
                </dd>
                {record.submittedAt ? (
                  <>
                    <dt>{t.support.columns.submitted}</dt>
                    <dd>
                      <Time at={record.submittedAt} />
                    </dd>
                  </>
                ) : null}
                {record.reviewNote ? (
                  <>
                    <dt>{t.realName.note}</dt>
                    <dd>{record.reviewNote}</dd>
                  </>
                ) : null}
              </dl>
            ) : null}
          </section>
          <section class="card">
            <h2>{record.status === 'none' ? t.realName.submit : t.realName.resubmit}</h2>
            <form method="post" action="/account/real-name" data-testid="real-name-form">
              <Csrf value={props.frame.csrf} />
              <FactsFields values={props.values} />
              <button type="submit" class="primary">
                {t.realName.submit}
              </button>
            </form>
          </section>
        </div>
      )}
    </Layout>
  );
}

import type { Services } from '../services.js';
import { Alert, Csrf, Layout, Notice, TableScroll, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

type TicketRow = Awaited<ReturnType<Services['support']['list']>>[number];
type TicketView = Awaited<ReturnType<Services['support']['view']>>;
type RealNameRow = Awaited<ReturnType<Services['realNames']['list']>>[number];

const ticketStates = ['submitted', 'awaiting_second_approval', 'cooling_off', 'completed', 'rejected', 'cancelled'];

function Matches(props: { matches: Record<string, boolean | undefined> }) {
  return (
    <span>
      {Object.entries(props.matches)
        .filter((e): e is [string, boolean] => e[1] !== undefined)
        .map(([fact, ok]) => {
          const key = fact.replace(/Matches$/, '');
          return (
            <span key={fact} class={ok ? 'match-yes' : 'match-no'}>
              {t.support.factLabels[key] ?? key} {ok ? '✓' : '✗'}{' '}
            </span>
          );
        })}
    </span>
  );
}

/** One filter row: "All" and a chip per state, as links (`/support?<param>=<state>`). */
function FilterChips(props: { param: string; current: string | null; choices: [string, string][] }) {
  return (
    <nav class="filters" aria-label={t.support.filter}>
      <a class={`chip ${props.current === null ? 'chip-active' : ''}`} href="/support">
        {t.support.all}
      </a>
      {props.choices.map(([state, label]) => (
        <a
          key={state}
          class={`chip ${props.current === state ? 'chip-active' : ''}`}
          href={`/support?${props.param}=${state}`}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}

function StateBadge(props: { status: string }) {
  return (
    <span class={`badge badge-${props.status}`}>
      {t.recovery.states[props.status as keyof typeof t.recovery.states] ?? props.status}
    </span>
  );
}

/** /support: the operators' queue of tickets and real-name records, filtered by state. */
export function SupportPage(props: {
  frame: PageFrame;
  message: Message;
  status: string | null;
  records: string | null;
  tickets: TicketRow[];
  realNames: RealNameRow[];
}) {
  return (
    <Layout {...props.frame} active="support">
      <h1>{t.support.heading}</h1>
      <p class="muted">{t.support.intro}</p>
      <Notice message={props.message} />
      <section class="card">
        <div class="page-head">
          <h2>{t.support.tickets}</h2>
        </div>
        <FilterChips
          param="status"
          current={props.status}
          choices={ticketStates.map((state) => [
            state,
            t.recovery.states[state as keyof typeof t.recovery.states].split(':')[0]!,
          ])}
        />
        {props.tickets.length === 0 ? (
          <p class="muted">{t.support.none}</p>
        ) : (
          <TableScroll>
            <table data-testid="support-tickets">
              <thead>
                <tr>
                  <th>{t.support.columns.submitted}</th>
                  <th>{t.support.columns.login}</th>
                  <th>{t.support.columns.status}</th>
                  <th>{t.support.columns.matches}</th>
                  <th>{t.support.columns.approvals}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {props.tickets.map((ticket) => (
                  <tr key={ticket.id}>
                    <td>
                      <Time at={ticket.submittedAt} />
                    </td>
                    <td>{ticket.login}</td>
                    <td>
                      <StateBadge status={ticket.status} />
                    </td>
                    <td>
                      <Matches matches={ticket.evidenceMatches} />
                    </td>
                    <td>{ticket.approvals.length} / 2</td>
                    <td>
                      <a href={`/support/tickets/${ticket.id}`}>{t.support.open}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <section class="card">
        <h2>{t.support.realNames}</h2>
        <FilterChips
          param="records"
          current={props.records}
          choices={(['pending', 'verified', 'rejected'] as const).map((state) => [state, t.realName.states[state]])}
        />
        {props.realNames.length === 0 ? (
          <p class="muted">{t.support.none}</p>
        ) : (
          <TableScroll>
            <table data-testid="support-real-names">
              <thead>
                <tr>
                  <th>{t.support.columns.submitted}</th>
                  <th>{t.support.columns.login}</th>
                  <th>{t.support.columns.name}</th>
                  <th>{t.support.columns.idLast4}</th>
                  <th>{t.support.columns.status}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {props.realNames.map((record) => (
                  <tr key={record.accountId}>
                    <td>{record.submittedAt ? <Time at={record.submittedAt} /> : null}</td>
                    <td>{record.login}</td>
                    <td>
                      {record.name}
                      {record.companyName ? ` · ${record.companyName}` : ''}
                    </td>
                    <td>
                      <code>…{record.idNumberLast4}</code>
                    </td>
                    <td>
                      <span class={`badge badge-${record.status}`}>{t.realName.states[record.status]}</span>
                    </td>
                    <td>
                      {record.status === 'pending' ? (
                        <span class="actions">
                          <form method="post" action={`/support/real-names/${record.accountId}/verify`} class="inline">
                            <Csrf value={props.frame.csrf} />
                            <button type="submit" class="primary" data-testid="verify-real-name">
                              {t.support.verify}
                            </button>
                          </form>
                          <form method="post" action={`/support/real-names/${record.accountId}/reject`} class="inline">
                            <Csrf value={props.frame.csrf} />
                            <button type="submit">{t.support.reject}</button>
                          </form>
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </Layout>
  );
}

/** One ticket: what matches, the files, the account's recent events, and the four-eyes decision. */
export function SupportTicketPage(props: { frame: PageFrame; message: Message; ticket: TicketView }) {
  const { ticket } = props;
  const open = ticket.status === 'submitted' || ticket.status === 'awaiting_second_approval';
  const { type: _type, ...flags } = ticket.evidence;
  return (
    <Layout {...props.frame} active="support">
      <p class="muted small">
        <a href="/support">← {t.support.heading}</a>
      </p>
      <h1>
        {t.support.ticketHeading} <StateBadge status={ticket.status} />
      </h1>
      <Notice message={props.message} />
      <div class="grid">
        <section class="card">
          <h2>{ticket.title}</h2>
          <dl class="facts-list">
            <dt>{t.support.columns.login}</dt>
            <dd>{ticket.login}</dd>
            <dt>{t.support.columns.submitted}</dt>
            <dd>
              <Time at={ticket.submittedAt} />
            </dd>
            <dt>{t.support.description}</dt>
            <dd>{ticket.description}</dd>
            {ticket.effectiveAt ? (
              <>
                <dt>{t.recovery.effectiveAt}</dt>
                <dd>
                  <Time at={ticket.effectiveAt} />
                </dd>
              </>
            ) : null}
          </dl>
          <h3>{t.support.evidence}</h3>
          <p data-testid="evidence-matches">
            <Matches matches={flags as Record<string, boolean>} />
          </p>
          <p class="muted small">
            {t.realName.idLast4} <code>…{ticket.realName.idNumberLast4}</code> · {ticket.realName.name}
          </p>
          <h3>{t.support.files}</h3>
          {ticket.files.length === 0 ? (
            <p class="muted">{t.support.noFiles}</p>
          ) : (
            <ul>
              {ticket.files.map((file) => (
                <li key={file.id}>
                  <a href={`/support/tickets/${ticket.id}/files/${file.id}`} data-testid="evidence-file">
                    {file.downloadName}
                  </a>{' '}
                  <span class="muted small">
                    {file.type}, {Math.ceil(file.size / 1024)} KiB · {t.support.uploadedAs}{' '}
                    <q data-testid="evidence-original-name">{file.name}</q>
                  </span>
                  {file.type.startsWith('image/') ? (
                    <img
                      class="evidence-image"
                      src={`/support/tickets/${ticket.id}/files/${file.id}/view`}
                      alt={t.support.imageAlt(file.downloadName)}
                      data-testid="evidence-image"
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card">
          <h2>{t.support.approvals}</h2>
          <p class="muted small">{t.support.fourEyes}</p>
          <p data-testid="approvals">{ticket.approvals.length} / 2</p>
          {ticket.approvals.length > 0 ? (
            <ul data-testid="approval-list">
              {ticket.approvals.map((a) => (
                <li key={a.operatorId}>
                  {t.support.approvedBy(a.operator ?? a.operatorId)} <Time at={a.at} />
                  {a.note ? (
                    <>
                      {' '}
                      — <q>{a.note}</q>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
          {ticket.own ? (
            <Alert kind="info">{t.support.own}</Alert>
          ) : open ? (
            <>
              {ticket.approvedByMe ? (
                <Alert kind="info">{t.support.approvedByMe}</Alert>
              ) : (
                <form method="post" action={`/support/tickets/${ticket.id}/approve`}>
                  <Csrf value={props.frame.csrf} />
                  <label>
                    {t.support.note}
                    <input name="note" type="text" maxLength={500} />
                  </label>
                  <button type="submit" class="primary" data-testid="approve">
                    {t.support.approve}
                  </button>
                </form>
              )}
              <form method="post" action={`/support/tickets/${ticket.id}/reject`}>
                <Csrf value={props.frame.csrf} />
                <label>
                  {t.support.reason}
                  <input name="reason" type="text" required minLength={3} maxLength={500} />
                </label>
                <button type="submit" class="danger">
                  {t.support.reject}
                </button>
              </form>
            </>
          ) : null}
          <h3>{t.support.recentEvents}</h3>
          <TableScroll>
            <table>
              <tbody>
                {ticket.recentEvents.map((event, i) => (
                  <tr key={i}>
                    <td>
                      <Time at={event.at} />
                    </td>
                    <td>
                      <code>{event.type}</code>
                    </td>
                    <td>{event.ip ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
      </div>
    </Layout>
  );
}

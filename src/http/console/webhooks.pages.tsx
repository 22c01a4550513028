import type { WebhookDeliveryView, WebhookView } from '../../domain/webhooks/index.js';
import { auditEventTypes } from '../../domain/audit/audit.js';
import { Csrf, Layout, Notice, TableScroll, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

/** The form field of one event's checkbox (plain string fields survive a step-up's resume). */
export const eventField = (type: string) => `e:${type}`;

/** The audit taxonomy grouped by its first word (account, login, mfa, …), in the taxonomy's order. */
function eventGroups(): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const type of auditEventTypes) {
    const group = type.slice(0, type.indexOf('.'));
    groups.set(group, [...(groups.get(group) ?? []), type]);
  }
  return [...groups.entries()];
}

const label = (type: string) => (t.audit.labels as Record<string, string>)[type] ?? type;

/** A long URL wraps inside its box instead of widening a phone's page. */
function Url(props: { url: string }) {
  return (
    <dd>
      <code>{props.url}</code>
    </dd>
  );
}

function State(props: { webhook: WebhookView }) {
  const { webhook } = props;
  return webhook.enabled ? (
    <span class="badge badge-ok">{t.webhooks.enabled}</span>
  ) : (
    <>
      <span class="badge badge-rejected">{t.webhooks.disabled}</span>{' '}
      <span class="muted small" data-testid="disabled-reason">
        {t.webhooks.offBecause(t.webhooks.reasons[webhook.disabledReason ?? ''] ?? webhook.disabledReason ?? '')}
      </span>
    </>
  );
}

/** The primary account's webhooks: each endpoint, and registering another. */
export function WebhooksPage(props: {
  frame: PageFrame;
  message: Message;
  webhooks: WebhookView[];
  /** What was typed into a refused registration. */
  values: Record<string, string>;
}) {
  const c = t.webhooks.columns;
  return (
    <Layout {...props.frame} active="webhooks">
      <h1>{t.webhooks.title}</h1>
      <div class="device-info">
        <Notice message={props.message} />
      </div>
      <p class="muted">{t.webhooks.intro}</p>
      {props.webhooks.length === 0 ? (
        <section class="card">
          <p class="muted" data-testid="no-webhooks">
            {t.webhooks.none}
          </p>
        </section>
      ) : (
        props.webhooks.map((webhook) => (
          <section class="card" key={webhook.id} data-testid="webhook" data-webhook={webhook.id}>
            <dl class="facts-list">
              <dt>{c.url}</dt>
              <Url url={webhook.url} />
              <dt>{c.state}</dt>
              <dd>
                <State webhook={webhook} />
              </dd>
              <dt>{c.events}</dt>
              <dd>{webhook.events.map(label).join(', ')}</dd>
              <dt>{c.created}</dt>
              <dd>
                <Time at={webhook.createdAt} dateOnly />
              </dd>
            </dl>
            <p>
              <a href={`/webhooks/${webhook.id}`} data-testid="open-webhook">
                {t.webhooks.open}
              </a>
            </p>
          </section>
        ))
      )}
      <h2 class="sub">{t.webhooks.registerHeading}</h2>
      <section class="card" id="register">
        <form method="post" action="/webhooks">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.webhooks.urlLabel}
            <span class="muted small">{t.webhooks.urlHint}</span>
            <input
              name="url"
              type="url"
              required
              maxLength={2000}
              placeholder="https://hooks.example.com/twofold"
              value={props.values.url ?? ''}
            />
          </label>
          <p>
            <strong>{t.webhooks.eventsLabel}</strong> <span class="muted small">{t.webhooks.eventsHint}</span>
          </p>
          {eventGroups().map(([group, types]) => (
            <fieldset class="facts" key={group}>
              <legend>{t.webhooks.groups[group] ?? group}</legend>
              {types.map((type) => (
                <label class="inline-choice" key={type}>
                  <input
                    type="checkbox"
                    name={eventField(type)}
                    value="1"
                    checked={props.values[eventField(type)] === '1'}
                  />{' '}
                  {label(type)}
                </label>
              ))}
            </fieldset>
          ))}
          <button type="submit" class="primary" data-testid="register-webhook">
            {t.webhooks.register}
          </button>
          <p class="muted small">{t.webhooks.stepUpNote}</p>
        </form>
      </section>
    </Layout>
  );
}

/**
 * A signing secret, this once: the answer to the POST that made it (registering, or a new secret),
 * never stored in clear and never on a page that can be opened again.
 */
export function WebhookSecretPage(props: { frame: PageFrame; webhook: WebhookView; secret: string; rotated: boolean }) {
  return (
    <Layout {...props.frame} active="webhooks">
      <section class="card" data-testid="webhook-secret">
        <h1>{props.rotated ? t.webhooks.rotatedTitle : t.webhooks.createdTitle}</h1>
        <div class="device-info">
          <p>{props.rotated ? t.webhooks.rotatedIntro : t.webhooks.createdIntro(props.webhook.url)}</p>
        </div>
        <h2>{t.webhooks.secretLabel}</h2>
        <p class="hint" role="alert" data-testid="secret-once">
          {t.webhooks.secretOnce}
        </p>
        <p class="key" data-testid="signing-secret">
          {props.secret}
        </p>
        <p>
          <a class="button primary-link" href={`/webhooks/${props.webhook.id}`} data-testid="secret-copied">
            {t.webhooks.copied}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** One endpoint: its recent deliveries with "Send again", a new secret, deleting it. */
export function WebhookPage(props: {
  frame: PageFrame;
  message: Message;
  webhook: WebhookView;
  deliveries: WebhookDeliveryView[];
}) {
  const { webhook } = props;
  const c = t.webhooks.columns;
  return (
    <Layout {...props.frame} active="webhooks">
      <p class="muted small">
        <a href="/webhooks">{t.webhooks.breadcrumb}</a>
      </p>
      <h1>{t.webhooks.deliveriesHeading}</h1>
      <div class="device-info">
        <Notice message={props.message} />
      </div>
      <section class="card">
        <dl class="facts-list">
          <dt>{c.url}</dt>
          <Url url={webhook.url} />
          <dt>{c.state}</dt>
          <dd>
            <State webhook={webhook} />
          </dd>
          <dt>{c.events}</dt>
          <dd>{webhook.events.map(label).join(', ')}</dd>
        </dl>
      </section>
      <section class="card">
        {props.deliveries.length === 0 ? (
          <p class="muted" data-testid="no-deliveries">
            {t.webhooks.noDeliveries}
          </p>
        ) : (
          <TableScroll>
            <table data-testid="deliveries">
              <thead>
                <tr>
                  <th>{c.event}</th>
                  <th>{c.status}</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {props.deliveries.map((d) => (
                  <tr key={d.id} data-testid="delivery" data-status={d.status}>
                    {/* Three columns, the time and the answer under their headings: it fits a phone. */}
                    <td>
                      {label(d.eventType)}
                      <br />
                      <span class="muted small">
                        <Time at={d.lastAttemptAt ?? d.at} />
                      </span>
                    </td>
                    <td title={d.lastError ?? undefined}>
                      {t.webhooks.statuses[d.status] ?? d.status}
                      <br />
                      <span class="muted small" data-testid="answer">
                        {t.webhooks.answer(d.lastStatusCode, d.attempts)}
                      </span>
                    </td>
                    <td>
                      <form method="post" action={`/webhooks/${webhook.id}/deliveries/${d.id}/retry`} class="inline">
                        <Csrf value={props.frame.csrf} />
                        <button type="submit" data-testid="send-again">
                          {t.webhooks.sendAgain}
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <h2 class="sub">{t.webhooks.secretHeading}</h2>
      <section class="card narrow-left">
        <p class="muted">{t.webhooks.secretIntro}</p>
        <form method="post" action={`/webhooks/${webhook.id}/secret`} class="inline">
          <Csrf value={props.frame.csrf} />
          <button type="submit" data-testid="rotate-secret">
            {t.webhooks.rotate}
          </button>
        </form>
      </section>
      <h2 class="sub">{t.webhooks.dangerHeading}</h2>
      <section class="card narrow-left">
        <p class="muted">{t.webhooks.deleteIntro}</p>
        <form method="post" action={`/webhooks/${webhook.id}/delete`} class="inline">
          <Csrf value={props.frame.csrf} />
          <button type="submit" class="danger" data-testid="delete-webhook">
            {t.webhooks.delete}
          </button>
        </form>
      </section>
      <p class="muted small">
        <a href="/webhooks">{t.webhooks.back}</a>
      </p>
    </Layout>
  );
}

import type { ComponentChildren } from 'preact';
import type { OidcClientView } from '../../domain/oidc/clients.service.js';
import { Csrf, Layout, Notice, TableScroll, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

/** Where an application finds the provider: the issuer and its discovery document (OpenID Connect Discovery 1.0 §4). */
export interface ProviderAddresses {
  issuer: string;
  discovery: string;
}

/** A workspace the application may be limited to: its id and name. */
export interface WorkspaceChoice {
  id: string;
  name: string;
}

/** The workspace an application is limited to, by name (or that it is open to the whole account). */
function workspaceLabel(client: OidcClientView, workspaces: WorkspaceChoice[]) {
  if (client.workspaceId === null) return t.applications.anyUser;
  return workspaces.find((w) => w.id === client.workspaceId)?.name ?? t.applications.unknownWorkspace;
}

/** One address per line, as typed in a textarea. */
export const linesOf = (uris: string[]) => uris.join('\n');

/**
 * Addresses one per line, each allowed to wrap after a slash (<wbr>): a long one neither widens the
 * page nor squeezes the other columns of a table into towers.
 */
function UriList(props: { uris: string[] }) {
  return (
    <>
      {props.uris.map((uri, i) => (
        <span key={uri}>
          {i > 0 ? <br /> : null}
          <code>
            {uri.split('/').map((part, j) => (
              <>
                {j > 0 ? '/' : null}
                {j > 0 ? <wbr /> : null}
                {part}
              </>
            ))}
          </code>
        </span>
      ))}
    </>
  );
}

/** A refusal may quote a long address: it wraps inside the alert instead of widening the page. */
function WrappingNotice(props: { message: Message }) {
  return (
    <div class="device-info">
      <Notice message={props.message} />
    </div>
  );
}

/** The values an application is configured with (client ID, issuer, discovery document, …), then `children`. */
function ProviderFacts(props: { client: OidcClientView; provider: ProviderAddresses; children?: ComponentChildren }) {
  return (
    <dl class="facts-list" data-testid="application-facts">
      <dt>{t.applications.clientId}</dt>
      <dd>
        <code data-testid="client-id">{props.client.id}</code>
      </dd>
      <dt>{t.applications.issuer}</dt>
      <dd>
        <code data-testid="issuer">{props.provider.issuer}</code>
      </dd>
      <dt>{t.applications.discovery}</dt>
      <dd>
        <code data-testid="discovery">{props.provider.discovery}</code>
      </dd>
      <dt>{t.applications.columns.type}</dt>
      <dd>{t.applications.types[props.client.type] ?? props.client.type}</dd>
      <dt>{t.applications.columns.redirectUris}</dt>
      <dd>
        <UriList uris={props.client.redirectUris} />
      </dd>
      {props.children}
    </dl>
  );
}

/** The two lists of addresses, one per line (the registration and the change share them). */
function UriFields(props: { values: Record<string, string> }) {
  return (
    <>
      <label>
        {t.applications.redirectUrisLabel}
        <span class="muted small">{t.applications.redirectUrisHint}</span>
        <textarea name="redirectUris" required rows={3} placeholder="https://app.example.com/callback">
          {props.values.redirectUris ?? ''}
        </textarea>
      </label>
      <label>
        {t.applications.postLogoutLabel}
        <span class="muted small">{t.applications.postLogoutHint}</span>
        <textarea name="postLogoutRedirectUris" rows={2}>
          {props.values.postLogoutRedirectUris ?? ''}
        </textarea>
      </label>
    </>
  );
}

/** The primary account's applications (issue 23): the list, and registering another. */
export function ApplicationsPage(props: {
  frame: PageFrame;
  message: Message;
  clients: OidcClientView[];
  workspaces: WorkspaceChoice[];
  /** What was typed into a refused registration. */
  values: Record<string, string>;
}) {
  const c = t.applications.columns;
  const v = props.values;
  const type = v.type === 'public' ? 'public' : 'confidential';
  return (
    <Layout {...props.frame} active="applications">
      <h1>{t.applications.title}</h1>
      <WrappingNotice message={props.message} />
      <p class="muted">{t.applications.intro}</p>
      <section class="card">
        {props.clients.length === 0 ? (
          <p class="muted" data-testid="no-applications">
            {t.applications.none}
          </p>
        ) : (
          <TableScroll>
            <table data-testid="applications">
              <thead>
                <tr>
                  <th>{c.name}</th>
                  <th>{c.type}</th>
                  <th>{c.clientId}</th>
                  <th>{c.redirectUris}</th>
                  <th>{c.workspace}</th>
                  <th>{c.firstParty}</th>
                  <th>{c.created}</th>
                </tr>
              </thead>
              <tbody>
                {props.clients.map((client) => (
                  <tr key={client.id} data-testid="application" data-application={client.name}>
                    <td>
                      <a href={`/applications/${client.id}`}>{client.name}</a>
                    </td>
                    <td>{t.applications.types[client.type] ?? client.type}</td>
                    <td>
                      <code>{client.id}</code>
                    </td>
                    <td>
                      <UriList uris={client.redirectUris} />
                    </td>
                    <td>{workspaceLabel(client, props.workspaces)}</td>
                    <td>{client.firstParty ? t.applications.yes : t.applications.no}</td>
                    <td>
                      <Time at={client.createdAt} dateOnly />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <h2 class="sub">{t.applications.registerHeading}</h2>
      <section class="card narrow-left" id="register">
        <form method="post" action="/applications">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.applications.nameLabel}
            <input
              name="name"
              type="text"
              required
              maxLength={100}
              placeholder={t.applications.namePlaceholder}
              value={v.name ?? ''}
            />
          </label>
          <UriFields values={v} />
          <fieldset class="facts">
            <legend>{t.applications.typeLabel}</legend>
            <label class="inline-choice">
              <input type="radio" name="type" value="confidential" checked={type === 'confidential'} />{' '}
              {t.applications.types.confidential}
            </label>
            <label class="inline-choice">
              <input type="radio" name="type" value="public" checked={type === 'public'} />{' '}
              {t.applications.types.public}
            </label>
            <p class="muted small">{t.applications.typeHint}</p>
          </fieldset>
          {props.workspaces.length > 0 ? (
            <label>
              {t.applications.workspaceLabel}
              <span class="muted small">{t.applications.workspaceHint}</span>
              <select name="workspaceId" data-testid="application-workspace">
                <option value="">{t.applications.workspaceNone}</option>
                {props.workspaces.map((w) => (
                  <option key={w.id} value={w.id} selected={v.workspaceId === w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label class="check">
            <input name="firstParty" type="checkbox" value="1" checked={v.firstParty === '1'} />{' '}
            {t.applications.firstPartyLabel}
          </label>
          <p class="muted small check-hint">{t.applications.firstPartyHint}</p>
          <button type="submit" class="primary" data-testid="register-application">
            {t.applications.register}
          </button>
          <p class="muted small">{t.applications.stepUpNote}</p>
        </form>
      </section>
    </Layout>
  );
}

/**
 * Right after registering a confidential application: its secret, this once (the answer to the
 * registering POST itself, never stored, never on a page that can be opened again).
 */
export function ApplicationCreatedPage(props: {
  frame: PageFrame;
  client: OidcClientView;
  secret: string;
  provider: ProviderAddresses;
}) {
  return (
    <Layout {...props.frame} active="applications">
      <section class="card" data-testid="application-created">
        <h1>{t.applications.createdTitle}</h1>
        <p>{t.applications.createdIntro(props.client.name)}</p>
        <h2>{t.applications.clientSecret}</h2>
        <p class="hint" role="alert" data-testid="secret-once">
          {t.applications.secretOnce}
        </p>
        <p class="key" data-testid="client-secret">
          {props.secret}
        </p>
        <ProviderFacts client={props.client} provider={props.provider} />
        <p>
          <a class="button primary-link" href={`/applications/${props.client.id}`} data-testid="secret-copied">
            {t.applications.copied}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** One application: what to configure it with, changing its name and addresses, deleting it. */
export function ApplicationPage(props: {
  frame: PageFrame;
  message: Message;
  client: OidcClientView;
  workspaces: WorkspaceChoice[];
  provider: ProviderAddresses;
  /** The form's values: what was typed into a refused change, or the application's own. */
  values: Record<string, string>;
}) {
  const { client } = props;
  return (
    <Layout {...props.frame} active="applications">
      <p class="muted small">
        <a href="/applications">{t.applications.breadcrumb}</a> › {client.name}
      </p>
      <h1>{client.name}</h1>
      <WrappingNotice message={props.message} />
      <section class="card">
        <h2>{t.applications.facts}</h2>
        <ProviderFacts client={client} provider={props.provider}>
          <dt>{t.applications.postLogoutShort}</dt>
          <dd>{client.postLogoutRedirectUris.length > 0 ? <UriList uris={client.postLogoutRedirectUris} /> : '—'}</dd>
          <dt>{t.applications.columns.workspace}</dt>
          <dd>{workspaceLabel(client, props.workspaces)}</dd>
          <dt>{t.applications.columns.firstParty}</dt>
          <dd>{client.firstParty ? t.applications.firstPartyYes : t.applications.firstPartyNo}</dd>
          <dt>{t.applications.columns.created}</dt>
          <dd>
            <Time at={client.createdAt} />
          </dd>
        </ProviderFacts>
        <p class="muted small">
          {client.type === 'confidential' ? t.applications.secretShownOnce : t.applications.publicNoSecret}
        </p>
      </section>
      <h2 class="sub">{t.applications.editHeading}</h2>
      <section class="card narrow-left">
        <form method="post" action={`/applications/${client.id}`}>
          <Csrf value={props.frame.csrf} />
          <label>
            {t.applications.nameLabel}
            <input name="name" type="text" required maxLength={100} value={props.values.name ?? ''} />
          </label>
          <UriFields values={props.values} />
          <button type="submit" class="primary" data-testid="save-application">
            {t.applications.save}
          </button>
        </form>
      </section>
      <h2 class="sub">{t.applications.dangerHeading}</h2>
      <section class="card narrow-left">
        <p class="muted">{t.applications.deleteIntro}</p>
        <form method="post" action={`/applications/${client.id}/delete`} class="inline">
          <Csrf value={props.frame.csrf} />
          <button type="submit" class="danger" data-testid="delete-application">
            {t.applications.delete}
          </button>
        </form>
      </section>
      <p class="muted small">
        <a href="/applications">{t.applications.back}</a>
      </p>
    </Layout>
  );
}

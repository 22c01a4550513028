import { Fragment } from 'preact';
import type { ApiTokenView } from '../../domain/api-tokens/api-tokens.service.js';
import { apiScopeNames, type ApiScope } from '../../domain/api-tokens/scopes.js';
import { Csrf, Layout, Notice, Time, type Message, type PageFrame } from './layout.js';
import { t } from './messages.js';

const DAY_MS = 24 * 3600_000;
/** The lives the form offers (the domain takes 1 to its maximum; these are the ones people pick). */
export const EXPIRY_CHOICES = [7, 30, 90, 180, 365] as const;
export const DEFAULT_EXPIRY_DAYS = 90;
/** A token that ends this soon is marked in the list (the owner's reminder goes out then too). */
const SOON_MS = 7 * DAY_MS;

/** One checkbox per scope: its own field name, so a refused form and a step-up carry it as plain text. */
export const scopeField = (scope: ApiScope) => `scope:${scope}`;

/** The scopes in a few words, each with its exact name for whoever writes the script. */
function ScopeList(props: { scopes: ApiScope[] }) {
  return (
    <>
      {props.scopes.map((scope, i) => (
        <Fragment key={scope}>
          {i > 0 ? ', ' : null}
          {t.apiTokens.scopeLabels[scope] ?? scope} (<code>{scope}</code>)
        </Fragment>
      ))}
    </>
  );
}

/** The end date; within 7 days it is marked and says how soon. */
function Expiry(props: { at: number; now: number }) {
  const left = props.at - props.now;
  return (
    <>
      <Time at={props.at} dateOnly />
      {left <= SOON_MS ? (
        <>
          {' '}
          <span class="badge badge-off" data-testid="expires-soon">
            {t.apiTokens.endsIn(Math.floor(left / DAY_MS))}
          </span>
        </>
      ) : null}
    </>
  );
}

/** The person's working tokens (issue 24): the list, revoking one, and creating another. */
export function ApiTokensPage(props: {
  frame: PageFrame;
  message: Message;
  tokens: ApiTokenView[];
  now: number;
  /** What was typed into a refused form. */
  values: Record<string, string>;
  /** This rendering's form, so a form sent twice (a reload of its answer) creates one token. */
  formId: string;
  maxDays: number;
}) {
  const c = t.apiTokens.columns;
  const v = props.values;
  const days = EXPIRY_CHOICES.map(String).includes(v.expiresInDays ?? '')
    ? Number(v.expiresInDays)
    : DEFAULT_EXPIRY_DAYS;
  return (
    <Layout {...props.frame} active="api-tokens">
      <h1>{t.apiTokens.title}</h1>
      <div class="device-info">
        <Notice message={props.message} />
      </div>
      <section class="card">
        {props.tokens.length === 0 ? (
          <div data-testid="no-api-tokens">
            <p>{t.apiTokens.none}</p>
            <p class="muted">{t.apiTokens.intro}</p>
            <p class="muted">{t.apiTokens.rights}</p>
          </div>
        ) : (
          <>
            <p class="muted small">{t.apiTokens.rights}</p>
            <div data-testid="api-tokens">
              {props.tokens.map((token) => (
                <div class="setting device" key={token.id} data-testid="api-token" data-api-token={token.name}>
                  <div class="device-info">
                    <h3>{token.name}</h3>
                    <p class="muted small">
                      {c.scopes}: <ScopeList scopes={token.scopes} />
                    </p>
                    <p class="muted small">
                      {c.created} <Time at={token.createdAt} dateOnly /> · {c.expires}{' '}
                      <Expiry at={token.expiresAt} now={props.now} /> · {c.lastUsed}{' '}
                      {token.lastUsedAt === null ? t.apiTokens.never : <Time at={token.lastUsedAt} />}
                    </p>
                  </div>
                  <div class="setting-state">
                    <form method="post" action={`/api-tokens/${token.id}/revoke`} class="inline">
                      <Csrf value={props.frame.csrf} />
                      <button type="submit" class="danger" data-testid="revoke-api-token">
                        {t.apiTokens.revoke}
                      </button>
                    </form>
                  </div>
                </div>
              ))}
            </div>
          </>
        )}
      </section>
      <h2 class="sub">{t.apiTokens.createHeading}</h2>
      <section class="card narrow-left" id="create">
        <form method="post" action="/api-tokens">
          <Csrf value={props.frame.csrf} />
          <input type="hidden" name="formId" value={props.formId} />
          <label>
            {t.apiTokens.nameLabel}
            <span class="muted small">{t.apiTokens.nameHint}</span>
            <input
              name="name"
              type="text"
              required
              maxLength={100}
              autoComplete="off"
              placeholder={t.apiTokens.namePlaceholder}
              value={v.name ?? ''}
            />
          </label>
          <fieldset class="facts">
            <legend>{t.apiTokens.scopesLabel}</legend>
            <p class="muted small">{t.apiTokens.scopesHint}</p>
            {apiScopeNames.map((scope) => (
              <p key={scope}>
                <label class="check">
                  <input
                    name={scopeField(scope)}
                    type="checkbox"
                    value="1"
                    checked={v[scopeField(scope)] === '1'}
                    data-testid={`scope-${scope}`}
                  />{' '}
                  <span>
                    <code>{scope}</code>
                    <br />
                    <span class="muted small">{t.apiTokens.scopeDescriptions[scope]}</span>
                  </span>
                </label>
              </p>
            ))}
          </fieldset>
          <label>
            {t.apiTokens.expiryLabel}
            <select name="expiresInDays" data-testid="api-token-expiry">
              {EXPIRY_CHOICES.map((n) => (
                <option key={n} value={String(n)} selected={n === days}>
                  {t.apiTokens.days(n)}
                </option>
              ))}
            </select>
            <span class="muted small">{t.apiTokens.expiryHint(props.maxDays)}</span>
          </label>
          <button type="submit" class="primary" data-testid="create-api-token">
            {t.apiTokens.create}
          </button>
          <p class="muted small">{t.apiTokens.stepUpNote}</p>
        </form>
      </section>
    </Layout>
  );
}

/** A first call to make with a new token: a read it may make, or — it can read nothing — the users list. */
export function exampleCall(publicUrl: string, scopes: ApiScope[]): { url: string; readable: boolean } {
  const reads: [ApiScope, string][] = [
    ['users:read', '/api/v1/users'],
    ['workspaces:read', '/api/v1/workspaces'],
    ['audit:read', '/api/v1/audit-events'],
  ];
  const read = reads.find(([scope]) => scopes.includes(scope));
  return { url: `${publicUrl}${read?.[1] ?? '/api/v1/users'}`, readable: read !== undefined };
}

/**
 * Right after creating a token: its secret, this once — the answer to the creating POST itself
 * (no-store), never stored, never on a page that can be opened again.
 */
export function ApiTokenCreatedPage(props: {
  frame: PageFrame;
  token: ApiTokenView;
  secret: string;
  example: { url: string; readable: boolean };
}) {
  const { token } = props;
  return (
    <Layout {...props.frame} active="api-tokens">
      <section class="card" data-testid="api-token-created">
        <h1>{t.apiTokens.createdTitle}</h1>
        <p>{t.apiTokens.createdIntro(token.name, t.format.date(token.expiresAt))}</p>
        <p>
          <ScopeList scopes={token.scopes} />
        </p>
        <h2>{t.apiTokens.secretHeading}</h2>
        <p class="hint" role="alert" data-testid="secret-once">
          {t.apiTokens.secretOnce}
        </p>
        <p class="key" id="api-token-secret" data-testid="api-token-secret">
          {props.secret}
        </p>
        <p>
          <button type="button" hidden data-copy="api-token-secret" data-copied={t.apiTokens.copied}>
            {t.apiTokens.copy}
          </button>
        </p>
        <h2>{t.apiTokens.tryHeading}</h2>
        <p class="muted">{t.apiTokens.tryIntro}</p>
        <textarea
          readonly
          rows={4}
          cols={80}
          spellcheck={false}
          aria-label={t.apiTokens.tryHeading}
          data-testid="curl-example"
        >
          {`curl -H "Authorization: Bearer ${props.secret}" ${props.example.url}`}
        </textarea>
        {props.example.readable ? null : <p class="muted small">{t.apiTokens.tryNoRead}</p>}
        <p>
          <a class="button primary-link" href="/api-tokens" data-testid="secret-copied">
            {t.apiTokens.done}
          </a>
        </p>
      </section>
    </Layout>
  );
}

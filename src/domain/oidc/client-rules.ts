import { AppError } from '../../errors/app-error.js';
import { errorTexts, type ErrorTexts } from '../../i18n/errors/index.js';
import type { OidcClientsTable } from '../../db/schema.js';
import { newSecret, sha256Hex, type RandomBytes } from '../../crypto/random.js';

/**
 * The rules an application's registration follows, wherever it comes from (the console and API
 * through clients.service.ts, the CLI through operator-clients.ts): name, redirect URIs, the view.
 */
export interface OidcClientView {
  id: string;
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  workspaceId: string | null;
  firstParty: boolean;
  createdAt: number;
}

/** At most this many redirect URIs of each kind per application: a list to read, not a pattern. */
export const MAX_REDIRECT_URIS = 10;

/**
 * A redirect URI an application may use: an absolute https URL, or http on the loopback host only
 * (RFC 8252 §7.3, OAuth 2.0 Security BCP RFC 9700 §2.1: exact match, no fragment, no wildcard).
 * Returns why not, or null.
 */
export function redirectUriProblem(value: string): RedirectUriProblem | null {
  if (value.length > 2000) return 'tooLong';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'notAbsolute';
  }
  if (url.hash || value.includes('#')) return 'fragment';
  if (url.username || url.password) return 'credentials';
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && loopback) return null;
  return 'notHttps';
}
/** What is wrong with a redirect URI, named in the error catalogue (`oidc.uriProblems`). */
export type RedirectUriProblem = keyof ErrorTexts['oidc']['uriProblems'];

export function clientView(row: OidcClientsTable): OidcClientView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    workspaceId: row.workspace_id,
    firstParty: row.first_party === 1,
    createdAt: row.created_at,
  };
}

/**
 * A new client ID: 128 random bits in hex. Not base64url: an ID starting with "-" reads as an option
 * to a command line (`twofold oidc client remove -x…` failed), and people copy these into configs.
 */
export function newClientId(random: RandomBytes): string {
  return random(16).toString('hex');
}

/** A refusal of one field: the message in the reader's language, the field's `problem` in English. */
function invalid(path: string, problem: string, message: (m: ErrorTexts) => string) {
  return new AppError('validation.failed', message, { details: { fields: [{ path: `/${path}`, message: problem }] } });
}

/** An application's name: 1 to 100 printable characters, trimmed. */
export function checkClientName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100 || /[\p{Cc}\p{Cf}]/u.test(trimmed))
    throw invalid('name', 'must be 1 to 100 printable characters', (m) => m.oidc.nameRequired);
  return trimmed;
}

/** A list of redirect URIs, each checked, without repeats; `label` names the list in the message. */
export function checkRedirectUris(field: string, uris: string[], label = ''): string[] {
  if (uris.length > MAX_REDIRECT_URIS)
    throw invalid(field, `at most ${MAX_REDIRECT_URIS} URIs`, (m) => m.oidc.tooManyUris(MAX_REDIRECT_URIS));
  for (const [i, uri] of uris.entries()) {
    const problem = redirectUriProblem(uri);
    if (problem)
      throw invalid(`${field}/${i}`, errorTexts.en.oidc.uriProblems[problem], (m) =>
        m.oidc.uriProblem(label, uri.slice(0, 200), m.oidc.uriProblems[problem]),
      );
  }
  return [...new Set(uris)];
}

/** At least one redirect URI: an application with none could never receive a code. */
export function requireRedirectUri(uris: string[]) {
  if (uris.length === 0) throw invalid('redirectUris', 'at least one URI', (m) => m.oidc.redirectUriRequired);
}

/**
 * A new application's row, and its secret for a confidential one: 256 random bits (RFC 6749
 * §2.3.1), shown once and kept only as its SHA-256 (decision 029).
 */
export function newClientRow(
  random: RandomBytes,
  input: {
    accountId: string;
    createdBy: string;
    name: string;
    type: 'public' | 'confidential';
    redirectUris: string[];
    postLogoutRedirectUris: string[];
    workspaceId?: string | undefined;
    firstParty?: boolean | undefined;
  },
  now: number,
): { row: OidcClientsTable; secret?: string } {
  const secret = input.type === 'confidential' ? `tfc_${newSecret(random)}` : undefined;
  const row: OidcClientsTable = {
    id: newClientId(random),
    account_id: input.accountId,
    name: input.name,
    type: input.type,
    redirect_uris: JSON.stringify(input.redirectUris),
    post_logout_redirect_uris: JSON.stringify(input.postLogoutRedirectUris),
    workspace_id: input.workspaceId ?? null,
    first_party: input.firstParty ? 1 : 0,
    secret_hash: secret ? sha256Hex(secret) : null,
    created_by: input.createdBy,
    created_at: now,
    updated_at: now,
  };
  return secret ? { row, secret } : { row };
}

import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AppDeps } from '../deps.js';
import { ACR_LEVELS, type Acr } from '../../domain/sessions/amr.js';
import { requestedAcr } from '../../domain/oidc/sign-in.js';
import { consoleOf } from './console-context.js';

/**
 * The interaction policy: oidc-provider's, plus two checks of the login prompt (decision 029).
 * - `console_session`: the provider's session stands only while the console session it was made
 *   from does — the same user, signed in at the same moment. Signing out of the console, or in as
 *   someone else, asks again; so does an ended or restricted session.
 * - `acr_values`: a request for a class the session has not reached (OpenID Connect Core §3.1.2.1
 *   leaves plain `acr_values` voluntary; twofold honours it). The `claims` request parameter is not
 *   supported, so an `essential` acr claim cannot be asked for that way.
 * - `application_policy`: the user may still use this application (still a member of its
 *   workspace), and the session meets the class the workspace requires now — a grace period may
 *   have ended, or the session was made for another application. Otherwise the console's pages
 *   decide (refuse, bind, passkey): a grant given earlier never skips the workspace's policy.
 */
export function policy(
  { Check, base }: (typeof import('oidc-provider'))['interactionPolicy'],
  signIn: AppDeps['services']['oidc']['signIn'],
) {
  const prompts = base();
  const login = prompts.get('login')!;
  login.checks.push(
    new Check(
      'console_session',
      'the console sign-in behind this session ended or changed',
      (ctx: KoaContextWithOIDC) => {
        const { principal } = consoleOf(ctx);
        const session = ctx.oidc.session!;
        if (!principal || principal.restricted || principal.userId !== session.accountId) return Check.REQUEST_PROMPT;
        return Math.floor((principal.authenticatedAt ?? 0) / 1000) === session.loginTs
          ? Check.NO_NEED_TO_PROMPT
          : Check.REQUEST_PROMPT;
      },
    ),
    new Check('application_policy', "the application's workspace policy is not met", async (ctx) => {
      const accountId = ctx.oidc.session!.accountId;
      if (!accountId) return Check.NO_NEED_TO_PROMPT; // no_session asks already
      if (!ctx.oidc.account) return Check.REQUEST_PROMPT; // findAccount refused: the page says why
      const allowed = await signIn.requiredFor(accountId, ctx.oidc.client!.clientId);
      if (!allowed.ok) return Check.REQUEST_PROMPT;
      return allowed.required === null ||
        ACR_LEVELS.indexOf(ctx.oidc.acr as Acr) >= ACR_LEVELS.indexOf(allowed.required)
        ? Check.NO_NEED_TO_PROMPT
        : Check.REQUEST_PROMPT;
    }),
    new Check('acr_values', 'the requested authentication context class was not reached', (ctx) => {
      const wanted = requestedAcr(ctx.oidc.params!.acr_values as string | undefined);
      if (wanted === null) return Check.NO_NEED_TO_PROMPT;
      return ACR_LEVELS.indexOf(ctx.oidc.acr as Acr) >= ACR_LEVELS.indexOf(wanted)
        ? Check.NO_NEED_TO_PROMPT
        : Check.REQUEST_PROMPT;
    }),
  );
  return prompts;
}

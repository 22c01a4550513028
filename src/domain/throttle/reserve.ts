import type { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { ThrottlePolicy } from '../../db/repositories/throttles.repository.js';
import { retryAfterSeconds } from './policies.js';

/**
 * One try of `key` under `policy`, counted before the work it guards (the throttles repository
 * reserves atomically); when none is left, `refusal` with how long to wait — the answer carries
 * `Retry-After`. Every per-address and per-login limit of an anonymous request goes through here.
 */
export async function reserveOrRefuse(
  store: Store,
  key: string,
  policy: ThrottlePolicy,
  now: number,
  refusal: (details: { retryAfterSeconds: number }) => AppError,
): Promise<void> {
  if (await store.transaction((repos) => repos.throttles.reserve(key, policy, now))) return;
  const row = await store.repos.throttles.get(key);
  throw refusal({ retryAfterSeconds: retryAfterSeconds(row?.locked_until ?? now + policy.baseDelayMs, now) });
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** The API token a call is made with, as the audit log names it. */
export interface ActingToken {
  id: string;
  name: string;
  /** The token's owner: the user on whose rights it acts. */
  ownerId: string;
}

/**
 * Which API token the current call acts with. The HTTP layer runs a token-authenticated handler
 * inside `run`; the audit recorder asks `current()`, so every event the call causes — in any
 * service, now or added later — names the token as its actor without each call site passing it
 * (decision 031). SQLite's group commit runs each work in its caller's context, so batching never
 * mixes two requests' tokens.
 */
export function createActingTokenContext() {
  const storage = new AsyncLocalStorage<ActingToken>();
  return {
    run: <T>(token: ActingToken, work: () => T): T => storage.run(token, work),
    current: (): ActingToken | undefined => storage.getStore(),
  };
}
export type ActingTokenContext = ReturnType<typeof createActingTokenContext>;

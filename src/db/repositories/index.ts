import type { Database } from '../database.js';
import { createAuditRepository } from './audit.repository.js';
import { createMfaDevicesRepository } from './mfa-devices.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createThrottlesRepository } from './throttles.repository.js';
import { createUsersRepository } from './users.repository.js';

export function createRepositories(db: Database) {
  return {
    users: createUsersRepository(db),
    mfaDevices: createMfaDevicesRepository(db),
    sessions: createSessionsRepository(db),
    throttles: createThrottlesRepository(db),
    audit: createAuditRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** Repositories plus a way to run several of their calls in one transaction. */
export interface Store {
  repos: Repositories;
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

export function createStore(db: Database): Store {
  return {
    repos: createRepositories(db),
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx))),
  };
}

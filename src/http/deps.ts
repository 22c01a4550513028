import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Config } from '../config/config.js';
import type { Services } from './services.js';

/** What the HTTP layer is built from: the parts of the configuration it reads, and the services. */
export type AppConfig = Pick<
  Config,
  | 'publicUrl'
  | 'secureCookies'
  | 'hstsIncludeSubDomains'
  | 'trustProxy'
  | 'dev'
  | 'mfaActivationCodes'
  | 'stepUpMaxAgeSeconds'
  | 'issuer'
  | 'supportContact'
  | 'secretKeys'
  | 'passwordless'
>;

export interface AppDeps {
  config: AppConfig;
  services: Services;
  logger?: FastifyServerOptions['logger'];
  /** A ready pino instance (the server shares one with the mail worker). */
  loggerInstance?: FastifyBaseLogger;
}

export type { Services } from '../domain/services.js';

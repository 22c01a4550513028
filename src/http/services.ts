export type { Services } from '../compose.js';

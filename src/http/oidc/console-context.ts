import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Principal, RequestMeta } from '../../domain/sessions/principal.js';
import { requestMeta } from '../plugins/auth.js';

/** What the console knows about the request, handed to the provider with the raw request. */
const CONSOLE = Symbol('twofold console');
export interface ConsoleContext {
  principal: Principal | null;
  meta: RequestMeta;
}
export function consoleOf(ctx: KoaContextWithOIDC): ConsoleContext {
  return (
    (ctx.req as IncomingMessage & { [CONSOLE]?: ConsoleContext })[CONSOLE] ?? {
      principal: null,
      meta: { ip: null, userAgent: null },
    }
  );
}

/** Hands the console's view of the request (its session, its address) to the provider with the raw request. */
export function attachConsole(request: FastifyRequest): IncomingMessage {
  const req = request.raw as IncomingMessage & { [CONSOLE]?: ConsoleContext };
  req[CONSOLE] = { principal: request.principal, meta: requestMeta(request) };
  return req;
}

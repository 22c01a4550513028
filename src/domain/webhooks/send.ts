import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { allowedAddresses, checkWebhookUrl, hostOf, type HostResolver } from './addresses.js';

/** How deliveries reach the outside world; tests pass a resolver of their own and small limits. */
export interface WebhookNetwork {
  resolve: HostResolver;
  /** One attempt, from connecting to the last byte read. */
  timeoutMs: number;
  /** Bytes of a receiver's answer read before the connection is closed. */
  maxResponseBytes: number;
}

export const defaultWebhookNetwork = { timeoutMs: 15_000, maxResponseBytes: 64 * 1024 } as const;

export interface AttemptResult {
  /** The receiver's status code; null when no answer came (refused address, network, timeout). */
  statusCode: number | null;
  /** Why the attempt did not deliver, in words for the owner; null when delivered. */
  error: string | null;
  /** RFC 9110 §10.2.3 Retry-After, in ms from now, when the receiver sent one. */
  retryAfterMs: number | null;
}

/** RFC 9110 §10.2.3: a number of seconds or an HTTP-date. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * One POST to a receiver. The address is checked after DNS, in the connection's own lookup, so the
 * address connected to is the one checked (no second resolution a DNS-rebinding attacker could
 * answer differently: OWASP SSRF Prevention Cheat Sheet). Redirects are not followed (a 3xx is a
 * failed attempt), the whole attempt is bounded by `timeoutMs`, and no more than `maxResponseBytes`
 * of the answer is read. `signal` abandons the attempt (the worker stops).
 */
export async function postWebhook(
  network: WebhookNetwork & { allowPrivate: boolean; now: () => number },
  target: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<AttemptResult> {
  let url: URL;
  try {
    url = checkWebhookUrl(target);
    // An IP literal never reaches `lookup` (node:net connects to it directly): judged here, before
    // any connection is opened (a refused address is not even probed).
    const host = hostOf(url);
    if (isIP(host)) await allowedAddresses(host, network.resolve, network.allowPrivate);
  } catch (error) {
    return { statusCode: null, error: (error as Error).message, retryAfterMs: null };
  }
  const lookup: LookupFunction = (hostname, options, callback) => {
    allowedAddresses(hostname, network.resolve, network.allowPrivate).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
        } else if (options.all) {
          (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup,
      agent: false,
      signal,
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no complete answer within ${network.timeoutMs} ms`));
    }, network.timeoutMs);
    request.on('error', (error) => finish({ statusCode: null, error: error.message, retryAfterMs: null }));
    request.on('response', (response) => {
      const statusCode = response.statusCode ?? 0;
      const after = retryAfterMs(response.headers['retry-after'], network.now());
      let read = 0;
      const done = (note: string | null) => {
        const error =
          statusCode >= 200 && statusCode < 300
            ? null
            : statusCode >= 300 && statusCode < 400
              ? `answered ${statusCode} (redirects are not followed)`
              : `answered ${statusCode}`;
        finish({ statusCode, error: error !== null && note ? `${error}; ${note}` : error, retryAfterMs: after });
      };
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > network.maxResponseBytes) {
          // The status decides; a receiver that keeps talking is not listened to.
          done(`answer longer than ${network.maxResponseBytes} bytes, not read further`);
          request.destroy();
        }
      });
      response.on('end', () => done(null));
      // The answer broke off after its status line: the status still decides.
      response.on('error', () => done(null));
    });
    request.end(body);
  });
}

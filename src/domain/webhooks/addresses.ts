import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { AppError, type ErrorText } from '../../errors/app-error.js';

/** Finds every address of a host name (the default is the system resolver, as connections use it). */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export const MAX_URL_LENGTH = 2000;

/**
 * Plain public unicast only (OWASP SSRF Prevention Cheat Sheet, "Application layer — available
 * IP addresses"): loopback, private (RFC 1918), link-local (169.254.0.0/16, where cloud metadata
 * lives), carrier-grade NAT (RFC 6598), unique-local (RFC 4193), unspecified, multicast, broadcast
 * and every reserved or special-purpose range are refused. An IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) is judged as the IPv4 address it reaches.
 */
export function isPublicAddress(address: string): boolean {
  try {
    let ip = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    return ip.range() === 'unicast';
  } catch {
    return false;
  }
}

const refused = (why: ErrorText) => new AppError('webhook.url_refused', why);

/** The URL's own rules, before any lookup: absolute http(s), no credentials, not too long. */
export function checkWebhookUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH)
    throw refused((m) => m.webhooks.urlLength(MAX_URL_LENGTH));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused((m) => m.webhooks.urlNotHttp);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused((m) => m.webhooks.urlNotHttp);
  // Credentials in a URL end up in logs and on screens (RFC 3986 §3.2.1 deprecates them).
  if (url.username || url.password) throw refused((m) => m.webhooks.urlCredentials);
  if (!url.hostname) throw refused((m) => m.webhooks.urlNoHost);
  return url;
}

/** The host as a connection sees it: an IP literal without its brackets, or a name. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * The addresses a connection to `host` may use: all of them public, or (TWOFOLD_WEBHOOKS_ALLOW_PRIVATE)
 * any. A name that does not resolve is refused too. Throws `webhook.url_refused` saying why.
 */
export async function allowedAddresses(
  host: string,
  resolve: HostResolver,
  allowPrivate: boolean,
): Promise<{ address: string; family: number }[]> {
  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) throw refused((m) => m.webhooks.hostUnresolved(host));
  }
  if (!allowPrivate) {
    const inner = addresses.find((a) => !isPublicAddress(a.address));
    if (inner) throw refused((m) => m.webhooks.hostNotPublic(host, inner.address));
  }
  return addresses;
}

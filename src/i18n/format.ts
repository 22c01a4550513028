import type { Locale } from './locale.js';

/**
 * Dates and times as people read them, in their language and the time zone the operator set
 * (TWOFOLD_TIME_ZONE, UTC by default), always with the zone named: the server does not know the
 * reader's own zone, and a time without its zone is a support ticket waiting to happen. Pages also
 * carry the ISO instant for machines.
 */
const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withTime}`;
  let format = cache.get(key);
  if (!format) {
    // en-GB: "1 Dec 2026, 16:20 UTC" (day before month, 24-hour clock); zh-CN: "2026年12月1日 16:20 UTC".
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, {
      year: 'numeric',
      month: locale === 'en' ? 'short' : 'long',
      day: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' } : {}),
      timeZone,
    } as Intl.DateTimeFormatOptions);
    cache.set(key, format);
  }
  return format;
}

export function formatDateTime(locale: Locale, timeZone: string, at: number | string | Date): string {
  // The zone goes last in every language ("2026年12月7日 12:28 GMT+8", not "2026年12月7日 GMT+8 12:28").
  const parts = formatter(locale, timeZone, true).formatToParts(new Date(at));
  const zone = parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  const text = parts
    .filter((p) => p.type !== 'timeZoneName')
    .map((p) => p.value)
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  return `${text} ${zone}`;
}

export function formatDate(locale: Locale, timeZone: string, at: number | string | Date): string {
  return formatter(locale, timeZone, false).format(new Date(at));
}

/** True when Intl knows the zone (an IANA name such as Asia/Shanghai, or UTC). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The process's display time zone: set once from the configuration at start (a setting, not per request). */
let displayTimeZone = 'UTC';
export function setDisplayTimeZone(name: string): void {
  displayTimeZone = name;
}
export function getDisplayTimeZone(): string {
  return displayTimeZone;
}

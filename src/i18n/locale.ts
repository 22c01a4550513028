/**
 * The languages twofold speaks (issue 25). English is the source of every text; Simplified Chinese
 * is a complete second catalogue. Traditional Chinese readers get Simplified Chinese for now: it
 * reads better for them than English, and no catalogue of their own exists yet.
 */
export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** One language range of `Accept-Language` mapped to ours: any `zh…` (Hans or Hant) → zh-CN, any `en…` → en. */
function localeOfRange(range: string): Locale | null {
  const tag = range.toLowerCase();
  if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
  if (tag === 'en' || tag.startsWith('en-')) return 'en';
  return null;
}

/**
 * The best of our languages for an `Accept-Language` header (RFC 9110 §12.5.4): ranges by
 * descending weight, ties in the order given; `q=0` means "not this one". Null when none of ours is
 * asked for (the caller falls back to English). Script subtags (`zh-Hans-CN`) are matched by their
 * language, which the `negotiator` package does not do.
 */
export function negotiateLocale(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .slice(0, 512)
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { range: range.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.range && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { range } of ranges) {
    const locale = localeOfRange(range);
    if (locale) return locale;
  }
  return null;
}

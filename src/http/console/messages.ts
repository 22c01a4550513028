import { en, type Catalogue } from './messages/en.js';
import { zhCN } from './messages/zh-CN/index.js';
import type { Locale } from '../../i18n/locale.js';
import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/codes.js';

export type { Catalogue };
export { en };

const catalogues: Record<Locale, () => Catalogue> = { en: () => en, 'zh-CN': () => zhCN };

/** The console's texts in one language, for code that runs outside a page's rendering (route handlers). */
export function textsIn(locale: Locale): Catalogue {
  return catalogues[locale]();
}

/**
 * A refusal in the console's own words, shown in the reader's language wherever it ends up (a page,
 * a flash, a step-up), whatever the language of the code that threw it (decision 033).
 */
export function consoleError(
  code: ErrorCode,
  text: (texts: Catalogue) => string,
  options: Omit<NonNullable<ConstructorParameters<typeof AppError>[2]>, 'localized'> = {},
): AppError {
  return new AppError(code, text(en), { ...options, localized: (locale) => text(textsIn(locale)) });
}

/** The catalogue a page is being rendered in; English outside a render. */
let rendering: Catalogue = en;

/**
 * Renders in one language. Rendering is synchronous (preact-render-to-string), so no other request
 * can run while `rendering` points at this one's catalogue: the language never leaks between
 * concurrent requests, which module state touched across an `await` would (decision 033).
 */
export function renderIn<T>(locale: Locale, work: () => T): T {
  const previous = rendering;
  rendering = textsIn(locale);
  try {
    return work();
  } finally {
    rendering = previous;
  }
}

/**
 * The texts components read: the catalogue of the page being rendered. Route handlers, which run
 * across awaits, take theirs from `textsIn(localeOf(request))` instead.
 */
export const t: Catalogue = new Proxy(en, {
  get: (_target, key) => Reflect.get(rendering, key) as unknown,
});

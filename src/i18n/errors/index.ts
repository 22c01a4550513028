import type { Locale } from '../locale.js';
import { errorTextsEn } from './en/index.js';
import { errorTextsZh } from './zh-CN/index.js';

export type ErrorTexts = typeof errorTextsEn;

/** The API's error messages by language; a `code` never changes with the language. */
export const errorTexts: Record<Locale, ErrorTexts> = { en: errorTextsEn, 'zh-CN': errorTextsZh };

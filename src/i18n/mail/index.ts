import type { Locale } from '../locale.js';
import { mailTextsEn, type MailTexts } from './en.js';
import { mailTextsZh } from './zh-CN.js';

export type { MailContent, MailContext, MailTexts, NotificationTexts } from './en.js';

/** The e-mails and SMS by language; a person who never chose one reads English. */
export const mailTexts: Record<Locale, MailTexts> = { en: mailTextsEn, 'zh-CN': mailTextsZh };

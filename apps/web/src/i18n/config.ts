import { formatMessage, type GradingLocale } from '@lms/grading';

/** The interface's languages: each has its words in @lms/ui and @lms/grading too. */
export const locales = ['ru', 'en'] as const satisfies readonly GradingLocale[];
export type Locale = (typeof locales)[number];
/** The content is in Russian, so is the interface by default. */
export const defaultLocale: Locale = 'ru';
export const localeCookie = 'lms-locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Replaces `{name}` placeholders; unknown names are left as they are (@lms/grading's). */
export const format = formatMessage;

/** Russian has three plural forms (1 задача, 2 задачи, 5 задач); English two. */
export function plural(locale: Locale, n: number, forms: readonly string[]): string {
  const [one = '', few = one, many = few] = forms;
  if (locale === 'en') return n === 1 ? one : many;
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

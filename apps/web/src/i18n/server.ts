import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { defaultLocale, isLocale, type Locale, localeCookie } from './config.ts';
import { type Dictionary, getDictionary } from './dictionaries.ts';

/** The cookie wins; without it, the browser's first preferred language if we have it. */
export const getLocale = cache(async (): Promise<Locale> => {
  const fromCookie = (await cookies()).get(localeCookie)?.value;
  if (isLocale(fromCookie)) return fromCookie;
  const accept = (await headers()).get('accept-language') ?? '';
  for (const part of accept.split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return defaultLocale;
});

export async function getI18n(): Promise<{ locale: Locale; t: Dictionary }> {
  const locale = await getLocale();
  return { locale, t: getDictionary(locale) };
}

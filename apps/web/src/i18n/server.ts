import 'server-only';
import { cookies } from 'next/headers';
import { cache } from 'react';
import { defaultLocale, isLocale, type Locale, localeCookie } from './config.ts';
import { type Dictionary, getDictionary } from './dictionaries.ts';

/** The reader's choice (cookie), else Russian: the language of the content. */
export const getLocale = cache(async (): Promise<Locale> => {
  const fromCookie = (await cookies()).get(localeCookie)?.value;
  return isLocale(fromCookie) ? fromCookie : defaultLocale;
});

export async function getI18n(): Promise<{ locale: Locale; t: Dictionary }> {
  const locale = await getLocale();
  return { locale, t: getDictionary(locale) };
}

'use client';
import { createContext, type ReactNode, useContext } from 'react';
import type { Locale } from './config.ts';
import type { Dictionary } from './dictionaries.ts';

const I18nContext = createContext<{ locale: Locale; t: Dictionary } | null>(null);

/** The root layout hands the current dictionary to client components (a few KB, no library). */
export function I18nProvider(props: { locale: Locale; t: Dictionary; children: ReactNode }) {
  return (
    <I18nContext.Provider value={{ locale: props.locale, t: props.t }}>
      {props.children}
    </I18nContext.Provider>
  );
}

export function useI18n(): { locale: Locale; t: Dictionary } {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n() outside <I18nProvider>');
  return value;
}

'use client';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { setLocale } from '@/i18n/actions';
import { useI18n } from '@/i18n/client';
import { locales } from '@/i18n/config';

const LABELS = { ru: 'Русский', en: 'English' } as const;
const SHORT = { ru: 'RU', en: 'EN' } as const;

/** Two buttons (a radio group would need arrow-key handling; buttons are simpler to use). */
export function LanguageSwitch() {
  const { locale, t } = useI18n();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <fieldset className="flex items-center gap-0.5 rounded-md border border-slate-200 p-0.5 dark:border-slate-700">
      <legend className="sr-only">{t.header.language}</legend>
      {locales.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          aria-pressed={l === locale}
          aria-label={LABELS[l]}
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              await setLocale(l);
              router.refresh();
            })
          }
          className={`rounded px-2 py-0.5 text-xs font-semibold ${
            l === locale
              ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900'
              : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
          }`}
        >
          {SHORT[l]}
        </button>
      ))}
    </fieldset>
  );
}

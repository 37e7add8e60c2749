'use client';
import Link from 'next/link';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';

/** A date and time in the reader's language; the browser's time zone may differ from the server's. */
export function Time(props: { date: Date | null; dateOnly?: boolean }) {
  const { t } = useI18n();
  if (!props.date) return <>{t.instructor.never}</>;
  const text = new Intl.DateTimeFormat(t.ui.numberLocale, {
    dateStyle: 'short',
    ...(props.dateOnly ? {} : { timeStyle: 'short' }),
  }).format(props.date);
  return (
    <time dateTime={props.date.toISOString()} suppressHydrationWarning>
      {text}
    </time>
  );
}

/** The same as `Time`, as a string (for labels and titles). */
export function useDateText(): (date: Date | null) => string {
  const { t } = useI18n();
  const f = new Intl.DateTimeFormat(t.ui.numberLocale, { dateStyle: 'short', timeStyle: 'short' });
  return (date) => (date ? f.format(date) : t.instructor.never);
}

/** A query still loading, or failed (the server's words in the reader's language). */
export function QueryStatus(props: { isLoading: boolean; error: unknown }) {
  const { t } = useI18n();
  if (props.error) {
    return (
      <p role="alert" className="text-sm text-red-800">
        {format(t.instructor.loadFailed, { message: serverErrorText(props.error, t) })}
      </p>
    );
  }
  if (props.isLoading) return <p className="text-sm text-slate-600">{t.instructor.loading}</p>;
  return null;
}

/** A read-only block of code (focusable, so keyboard users can scroll it). */
export function CodeBlock(props: { code: string }) {
  return (
    <ScrollableCode code={props.code} className="max-h-96 overflow-y-auto bg-slate-50 text-xs" />
  );
}

/** "Cohorts / <cohort>" above a cohort's sub-page (task, student). */
export function CohortBreadcrumbs(props: { base: string; cohortName: string }) {
  const { t } = useI18n();
  return (
    <nav aria-label={t.a11y.breadcrumbs} className="text-sm text-slate-500">
      <ol className="flex flex-wrap items-center gap-1">
        <li>
          <Link href="/instructor" className="hover:text-slate-800 hover:underline">
            {t.instructor.cohortsTitle}
          </Link>
        </li>
        <li aria-hidden="true">/</li>
        <li>
          <Link href={props.base} className="hover:text-slate-800 hover:underline">
            {props.cohortName}
          </Link>
        </li>
      </ol>
    </nav>
  );
}

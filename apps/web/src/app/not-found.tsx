import Link from 'next/link';
import { getI18n } from '@/i18n/server';

export default async function NotFound() {
  const { t } = await getI18n();
  return (
    <div className="mx-auto max-w-xl px-4 py-24 text-center">
      <p className="font-mono text-sm text-brand-600">404</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight">{t.errors.notFound}</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-400">{t.errors.notFoundText}</p>
      <Link href="/courses" className="btn-primary mt-8">
        {t.errors.backToCourses}
      </Link>
    </div>
  );
}

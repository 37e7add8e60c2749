'use client';
import { useI18n } from '@/i18n/client';

export default function ErrorPage(props: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="mx-auto max-w-xl px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">{t.errors.generic}</h1>
      {props.error.digest && (
        <p className="mt-2 font-mono text-xs text-slate-500">{props.error.digest}</p>
      )}
      <button type="button" className="btn-primary mt-8" onClick={props.reset}>
        {t.errors.retry}
      </button>
    </div>
  );
}

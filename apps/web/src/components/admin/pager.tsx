'use client';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';

/** "‹ Previous · page 2 of 5 (93) · Next ›" under a paged admin table. */
export function Pager(props: {
  page: number;
  pages: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const { t } = useI18n();
  const a = t.adminConsole;
  return (
    <div className="flex items-center gap-3 text-sm">
      <button
        type="button"
        className="btn-ghost"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        {a.prev}
      </button>
      <span>{format(a.pageOf, { page: props.page, pages: props.pages, total: props.total })}</span>
      <button
        type="button"
        className="btn-ghost"
        disabled={props.page >= props.pages}
        onClick={() => props.onPage(props.page + 1)}
      >
        {a.next}
      </button>
    </div>
  );
}

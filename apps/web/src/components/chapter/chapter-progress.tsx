import { ProgressBar } from '@/components/progress-bar';
import { format } from '@/i18n/config';
import { getI18n } from '@/i18n/server';

/** "Tasks solved: 1 of 2" with a bar, or "Chapter done". */
export async function ChapterProgressBadge(props: {
  solved: number;
  total: number;
  done: boolean;
  className?: string;
}) {
  const { t } = await getI18n();
  const text = format(t.chapter.progress, { solved: props.solved, total: props.total });
  return (
    <div
      className={`flex items-center gap-3 ${props.className ?? ''}`}
      data-testid="chapter-progress"
      data-done={props.done}
    >
      {props.done ? (
        <span className="inline-flex items-center gap-1.5 rounded-full bg-emerald-100 px-3 py-1 text-sm font-medium text-emerald-800">
          <span aria-hidden="true">✓</span> {t.chapter.done}
        </span>
      ) : null}
      <ProgressBar
        className="max-w-48"
        value={props.solved}
        max={props.total}
        done={props.done}
        label={text}
      />
      <span className="shrink-0 text-sm text-slate-600">{text}</span>
    </div>
  );
}

import type { ReactNode } from 'react';
import { cn, focusRing } from './cn.ts';
import { CheckIcon } from './icons.tsx';
import type { LinkComponent, LinkComponentProps } from './LessonBlocks.tsx';
import { format, resolveMessages, type UiMessages } from './messages.ts';
import { Badge } from './primitives.tsx';

export interface ProgressBarProps {
  value: number;
  max: number;
  /** accessible name (required: a progress bar without a name fails axe) */
  label: string;
  /** show "2 of 5" next to the bar */
  showValue?: boolean;
  messages?: Partial<UiMessages>;
  className?: string;
}

export function ProgressBar({
  value,
  max,
  label,
  showValue = false,
  messages,
  className,
}: ProgressBarProps) {
  const m = resolveMessages(messages);
  const safeMax = max > 0 ? max : 0;
  const clamped = Math.min(Math.max(value, 0), safeMax);
  const percent = safeMax > 0 ? (clamped / safeMax) * 100 : 0;
  const valueText = format(m.progressValue, { value: clamped, max: safeMax });
  return (
    <div className={cn('flex items-center gap-2', className)}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={safeMax}
        aria-valuenow={clamped}
        aria-valuetext={valueText}
        className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={cn('h-full rounded-full', percent >= 100 ? 'bg-emerald-600' : 'bg-sky-600')}
          style={{ width: `${percent}%` }}
        />
      </div>
      {showValue ? (
        <span className="shrink-0 text-xs text-slate-600 tabular-nums">{valueText}</span>
      ) : null}
    </div>
  );
}

export interface ChapterProgressItem {
  id: string;
  number?: number;
  title: string;
  href: string;
  solved: number;
  total: number;
  /** default: total > 0 and every task solved */
  done?: boolean;
  /** where the student left off */
  current?: boolean;
}

export interface ChapterProgressListProps {
  chapters: ChapterProgressItem[];
  linkComponent?: LinkComponent;
  /** the list's accessible name; default "Chapters" */
  label?: string;
  messages?: Partial<UiMessages>;
  className?: string;
}

function PlainLink({ href, className, children }: LinkComponentProps) {
  return (
    <a href={href} className={className}>
      {children}
    </a>
  );
}

/** The course page's chapter list: link, tasks solved, a bar, "done" and "continue here". */
export function ChapterProgressList({
  chapters,
  linkComponent,
  label,
  messages,
  className,
}: ChapterProgressListProps) {
  const m = resolveMessages(messages);
  const Link = linkComponent ?? PlainLink;
  return (
    <ol aria-label={label ?? m.chapters} className={cn('space-y-3', className)}>
      {chapters.map((chapter) => {
        const done = chapter.done ?? (chapter.total > 0 && chapter.solved >= chapter.total);
        let title: ReactNode = chapter.title;
        if (chapter.number !== undefined) {
          title = (
            <>
              <span className="mr-2 text-slate-500 tabular-nums">{chapter.number}.</span>
              {chapter.title}
            </>
          );
        }
        return (
          <li
            key={chapter.id}
            className={cn(
              'rounded-lg border bg-white p-4',
              chapter.current ? 'border-sky-500 ring-1 ring-sky-500' : 'border-slate-200',
            )}
          >
            <div className="flex flex-wrap items-center gap-2">
              <Link
                href={chapter.href}
                className={cn(
                  'rounded text-base font-semibold text-slate-900 hover:text-sky-700 hover:underline',
                  focusRing,
                )}
              >
                {title}
              </Link>
              {done ? (
                <Badge tone="success">
                  <CheckIcon className="size-3.5" />
                  {m.chapterDone}
                </Badge>
              ) : null}
              {chapter.current ? <Badge tone="info">{m.continueHere}</Badge> : null}
            </div>
            {chapter.total > 0 ? (
              <div className="mt-2 flex items-center gap-3">
                <span className="shrink-0 text-sm text-slate-600">
                  {format(m.chapterTasks, {
                    solved: Math.min(chapter.solved, chapter.total),
                    total: chapter.total,
                  })}
                </span>
                <ProgressBar
                  value={chapter.solved}
                  max={chapter.total}
                  label={`${m.progress}: ${chapter.title}`}
                  messages={messages}
                  className="flex-1"
                />
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

'use client';

import { cn, focusRing } from './cn.ts';
import { AlertIcon, CheckIcon, ClockIcon, CrossIcon } from './icons.tsx';
import { format, resolveMessages, type UiMessages } from './messages.ts';
import { pendingStatuses, type VerdictStatus, verdictText } from './VerdictView.tsx';

export interface AttemptSummary {
  id: string;
  /** 1-based ordinal shown as "Attempt N"; default: position from the end of the list */
  number?: number;
  createdAt: string | Date;
  status: VerdictStatus;
  testsPassed?: number | null;
  testsTotal?: number | null;
}

export interface AttemptHistoryProps {
  /** newest first */
  attempts: AttemptSummary[];
  selectedId?: string | null;
  onSelect?: (id: string) => void;
  /** date rendering; default Intl short date and time in the messages' locale */
  formatDate?: (date: Date) => string;
  /** heading; set null to hide it (the list keeps its label) */
  title?: string | null;
  /** level of that heading in the page's outline (default 3) */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  messages?: Partial<UiMessages>;
  className?: string;
}

function StatusGlyph({ status }: { status: VerdictStatus }) {
  if (status === 'passed') return <CheckIcon className="size-4 text-emerald-700" />;
  if (pendingStatuses.has(status)) return <ClockIcon className="size-4 text-sky-700" />;
  if (status === 'failed' || status === 'error')
    return <CrossIcon className="size-4 text-red-700" />;
  return <AlertIcon className="size-4 text-amber-700" />;
}

export function AttemptHistory({
  attempts,
  selectedId,
  onSelect,
  formatDate,
  title,
  headingLevel = 3,
  messages,
  className,
}: AttemptHistoryProps) {
  const Heading = `h${headingLevel}` as const;
  const m = resolveMessages(messages);
  const label = title ?? m.attemptHistory;
  const dateFormat =
    formatDate ??
    ((date: Date) =>
      new Intl.DateTimeFormat(m.numberLocale, { dateStyle: 'short', timeStyle: 'short' }).format(
        date,
      ));

  return (
    <section aria-label={label} className={cn('text-sm', className)}>
      {title === null ? null : (
        <Heading className="mb-2 font-semibold text-slate-900">{label}</Heading>
      )}
      {attempts.length === 0 ? (
        <p className="text-slate-600">{m.attemptsEmpty}</p>
      ) : (
        <ol className="space-y-1">
          {attempts.map((attempt, index) => {
            const number = attempt.number ?? attempts.length - index;
            const date =
              attempt.createdAt instanceof Date ? attempt.createdAt : new Date(attempt.createdAt);
            const selected = attempt.id === selectedId;
            const tests =
              attempt.testsTotal != null && attempt.testsPassed != null && attempt.testsTotal > 0
                ? format(m.attemptTests, { passed: attempt.testsPassed, total: attempt.testsTotal })
                : null;
            const content = (
              <>
                <StatusGlyph status={attempt.status} />
                <span className="font-medium">{format(m.attemptNumber, { n: number })}</span>
                <span className="text-slate-700">{verdictText(attempt.status, m)}</span>
                {tests ? <span className="text-slate-600">· {tests}</span> : null}
                <time
                  dateTime={Number.isNaN(date.getTime()) ? undefined : date.toISOString()}
                  className="ml-auto text-xs text-slate-500"
                  suppressHydrationWarning
                >
                  {Number.isNaN(date.getTime()) ? '' : dateFormat(date)}
                </time>
              </>
            );
            return (
              <li key={attempt.id}>
                {onSelect ? (
                  <button
                    type="button"
                    onClick={() => onSelect(attempt.id)}
                    aria-current={selected ? 'true' : undefined}
                    className={cn(
                      'flex w-full cursor-pointer flex-wrap items-center gap-x-2 gap-y-1 rounded-md border px-3 py-2 text-left',
                      selected
                        ? 'border-sky-600 bg-sky-50'
                        : 'border-slate-200 bg-white hover:bg-slate-50',
                      focusRing,
                    )}
                  >
                    {content}
                  </button>
                ) : (
                  <div className="flex flex-wrap items-center gap-x-2 gap-y-1 rounded-md border border-slate-200 px-3 py-2">
                    {content}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

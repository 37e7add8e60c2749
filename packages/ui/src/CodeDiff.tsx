import { useId } from 'react';
import { cn, focusRing } from './cn.ts';
import { diffLines, diffStats, unifiedRows } from './diff.ts';
import { format, resolveMessages, type UiMessages } from './messages.ts';

export interface CodeDiffProps {
  before: string;
  after: string;
  /** unchanged lines shown around each change (default 3) */
  context?: number;
  /** caption, e.g. "Attempt 2 → Attempt 3"; default "Changes" */
  title?: string;
  messages?: Partial<UiMessages>;
  className?: string;
}

const rowTone = {
  equal: '',
  insert: 'bg-emerald-50',
  delete: 'bg-red-50',
} as const;

/** Unified line diff of two programs with +/- gutters and old/new line numbers. */
export function CodeDiff({
  before,
  after,
  context = 3,
  title,
  messages,
  className,
}: CodeDiffProps) {
  const m = resolveMessages(messages);
  const captionId = useId();
  const lines = diffLines(before, after);
  const stats = diffStats(lines);
  const rows = unifiedRows(lines, context);
  const changed = stats.added + stats.removed > 0;

  return (
    <figure className={cn('rounded-lg border border-slate-300 bg-white', className)}>
      <figcaption
        id={captionId}
        className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-200 px-3 py-2 text-sm"
      >
        <span className="font-semibold text-slate-900">{title ?? m.diffTitle}</span>
        <span className="text-slate-600">
          {changed
            ? format(m.diffSummary, { added: stats.added, removed: stats.removed })
            : m.diffNoChanges}
        </span>
      </figcaption>
      {changed ? (
        <section
          className={cn('overflow-x-auto', focusRing)}
          aria-labelledby={captionId}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: wide code must be keyboard scrollable
          tabIndex={0}
        >
          <table className="w-full border-collapse font-mono text-sm leading-6">
            <thead className="sr-only">
              <tr>
                <th scope="col">{m.diffOldLine}</th>
                <th scope="col">{m.diffNewLine}</th>
                <th scope="col">{m.diffChange}</th>
                <th scope="col">{m.diffCode}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => {
                if (row.kind === 'skip') {
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows of one diff
                    <tr key={index} className="bg-slate-50 text-slate-600">
                      <td colSpan={4} className="px-3 py-1 font-sans text-xs italic">
                        {format(m.diffCollapsed, { count: row.count })}
                      </td>
                    </tr>
                  );
                }
                const { line } = row;
                const sign = line.op === 'insert' ? '+' : line.op === 'delete' ? '−' : ' ';
                const word =
                  line.op === 'insert'
                    ? m.diffAdded
                    : line.op === 'delete'
                      ? m.diffRemoved
                      : m.diffUnchanged;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows of one diff
                  <tr key={index} className={rowTone[line.op]} data-op={line.op}>
                    <td className="w-10 px-2 text-right text-slate-500 select-none">
                      {line.oldLine ?? ''}
                    </td>
                    <td className="w-10 px-2 text-right text-slate-500 select-none">
                      {line.newLine ?? ''}
                    </td>
                    <td
                      className={cn(
                        'w-6 text-center select-none',
                        line.op === 'insert' && 'text-emerald-800',
                        line.op === 'delete' && 'text-red-800',
                      )}
                    >
                      <span aria-hidden="true">{sign}</span>
                      <span className="sr-only">{word}</span>
                    </td>
                    <td className="pr-3 whitespace-pre">{line.text || ' '}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ) : null}
    </figure>
  );
}

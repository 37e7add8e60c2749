'use client';
import type { VerdictStatus } from '@lms/ui';
import { AttemptHistory as AttemptList } from '@lms/ui/AttemptHistory';
import { CodeDiff } from '@lms/ui/CodeDiff';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { useTRPC } from '@/trpc/react';
import { useOutputVerdictText } from './output-verdict-view';
import { useUiMessages } from './ui-messages';

/**
 * An output task's attempts, newest first, loaded when opened: the same list as a code task's
 * (attempt-history.tsx), told as an output task's verdicts (`useOutputVerdictText`: "not what
 * the program prints" and the wrapper's own words, never a test count or an exit code).
 * Selecting one shows the typed answer, as a diff against the one before.
 */
export function OutputAttemptHistory(props: { courseSlug: string; taskId: string }) {
  const { t } = useI18n();
  const ui = useUiMessages();
  const trpc = useTRPC();
  const describe = useOutputVerdictText();
  const [open, setOpen] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const list = useQuery({
    ...trpc.attempt.list.queryOptions({ courseSlug: props.courseSlug, taskId: props.taskId }),
    enabled: open,
  });
  const attempts = list.data ?? [];
  const index = attempts.findIndex((a) => a.id === selectedId);
  const selected = index >= 0 ? attempts[index] : undefined;
  const previous = index >= 0 ? attempts[index + 1] : undefined;
  const said = selected ? describe(selected) : null;

  return (
    <details
      className="group rounded-lg border border-slate-200"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary className="cursor-pointer list-none rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 [&::-webkit-details-marker]:hidden">
        <span
          aria-hidden="true"
          className="mr-1 inline-block transition-transform group-open:rotate-90"
        >
          ▸
        </span>
        {ui.attemptHistory}
        {list.data ? <span className="ml-1 text-slate-600">({attempts.length})</span> : null}
      </summary>
      <div className="space-y-3 border-t border-slate-200 p-3">
        {list.isLoading ? (
          <p className="text-sm text-slate-600">…</p>
        ) : (
          <AttemptList
            title={null}
            attempts={attempts.map((a) => ({
              id: a.id,
              createdAt: a.createdAt,
              status: a.status as VerdictStatus,
            }))}
            selectedId={selectedId}
            onSelect={setSelectedId}
            // a failed attempt is a wrong answer here, not failed tests
            messages={{ ...ui, verdictFailed: t.task.output.wrongShort }}
          />
        )}
        {selected && said && (
          <div className="space-y-2" data-testid="history-selected">
            <p className="text-sm text-slate-700">{said.headline}</p>
            {said.note && (
              <p className="font-mono text-sm whitespace-pre-wrap text-slate-700">{said.note}</p>
            )}
            {previous ? (
              <CodeDiff
                before={previous.code}
                after={selected.code}
                title={t.task.diff}
                messages={ui}
              />
            ) : (
              <ScrollableCode code={selected.code} />
            )}
          </div>
        )}
      </div>
    </details>
  );
}

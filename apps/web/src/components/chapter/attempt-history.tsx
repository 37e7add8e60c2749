'use client';
import { shownMessage, type VerdictStatus } from '@lms/ui';
import { AttemptHistory as AttemptList } from '@lms/ui/AttemptHistory';
import { CodeDiff } from '@lms/ui/CodeDiff';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { type RouterOutputs, useTRPC } from '@/trpc/react';
import { useUiMessages } from './ui-messages';

type Attempt = RouterOutputs['attempt']['list'][number];

/**
 * A task's attempts, newest first, as a disclosure that loads them when opened; `children`
 * renders the list and the selected attempt. Every kind of task shows its history through it.
 */
export function AttemptHistoryPanel(props: {
  courseSlug: string;
  taskId: string;
  children: (history: {
    attempts: Attempt[];
    selectedId: string | null;
    select: (id: string) => void;
    selected: Attempt | undefined;
    /** the attempt before the selected one (its diff's left side) */
    previous: Attempt | undefined;
  }) => ReactNode;
}) {
  const ui = useUiMessages();
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const list = useQuery({
    ...trpc.attempt.list.queryOptions({ courseSlug: props.courseSlug, taskId: props.taskId }),
    enabled: open,
  });
  const attempts = list.data ?? [];
  const index = attempts.findIndex((a) => a.id === selectedId);

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
          props.children({
            attempts,
            selectedId,
            select: setSelectedId,
            selected: index >= 0 ? attempts[index] : undefined,
            previous: index >= 0 ? attempts[index + 1] : undefined,
          })
        )}
      </div>
    </details>
  );
}

/** The selected attempt's code: a diff against the attempt before it, or the code alone. */
export function AttemptCode(props: { selected: Attempt; previous: Attempt | undefined }) {
  const { t } = useI18n();
  const ui = useUiMessages();
  return props.previous ? (
    <CodeDiff
      before={props.previous.code}
      after={props.selected.code}
      title={t.task.diff}
      messages={ui}
    />
  ) : (
    <ScrollableCode code={props.selected.code} />
  );
}

/**
 * The task's attempts (final and quick), newest first, loaded when opened. Selecting one shows
 * its code as a diff against the attempt before it.
 */
export function AttemptHistory(props: { courseSlug: string; taskId: string }) {
  const ui = useUiMessages();
  return (
    <AttemptHistoryPanel courseSlug={props.courseSlug} taskId={props.taskId}>
      {({ attempts, selectedId, select, selected, previous }) => {
        const selectedMessage = selected ? shownMessage(selected, ui) : null;
        return (
          <>
            <AttemptList
              title={null}
              attempts={attempts.map((a) => ({
                id: a.id,
                createdAt: a.createdAt,
                status: a.status as VerdictStatus,
                testsPassed: a.testsPassed,
                testsTotal: a.testsTotal,
              }))}
              selectedId={selectedId}
              onSelect={select}
              messages={ui}
            />
            {selected && (
              <div className="space-y-2">
                {selectedMessage && (
                  <p className="text-sm whitespace-pre-wrap text-slate-700">{selectedMessage}</p>
                )}
                <AttemptCode selected={selected} previous={previous} />
              </div>
            )}
          </>
        );
      }}
    </AttemptHistoryPanel>
  );
}

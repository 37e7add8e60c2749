'use client';
import type { VerdictStatus } from '@lms/ui';
import { AttemptHistory as AttemptList } from '@lms/ui/AttemptHistory';
import { useI18n } from '@/i18n/client';
import { AttemptCode, AttemptHistoryPanel } from './attempt-history';
import { useOutputVerdictText } from './output-verdict-view';
import { useUiMessages } from './ui-messages';

/**
 * An output task's attempts, newest first, loaded when opened: the same panel as a code task's
 * (attempt-history.tsx), told as an output task's verdicts (`useOutputVerdictText`: "not what
 * the program prints" and the wrapper's own words, never a test count or an exit code).
 * Selecting one shows the typed answer, as a diff against the one before.
 */
export function OutputAttemptHistory(props: { courseSlug: string; taskId: string }) {
  const { t } = useI18n();
  const ui = useUiMessages();
  const describe = useOutputVerdictText();
  return (
    <AttemptHistoryPanel courseSlug={props.courseSlug} taskId={props.taskId}>
      {({ attempts, selectedId, select, selected, previous }) => {
        const said = selected ? describe(selected) : null;
        return (
          <>
            <AttemptList
              title={null}
              attempts={attempts.map((a) => ({
                id: a.id,
                createdAt: a.createdAt,
                status: a.status as VerdictStatus,
              }))}
              selectedId={selectedId}
              onSelect={select}
              // a failed attempt is a wrong answer here, not failed tests
              messages={{ ...ui, verdictFailed: t.task.output.wrongShort }}
            />
            {selected && said && (
              <div className="space-y-2" data-testid="history-selected">
                <p className="text-sm text-slate-700">{said.headline}</p>
                {said.note && (
                  <p className="font-mono text-sm whitespace-pre-wrap text-slate-700">
                    {said.note}
                  </p>
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

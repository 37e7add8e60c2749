'use client';
import { Badge } from '@lms/ui';
import type { KeyboardEvent, ReactNode } from 'react';
import { useI18n } from '@/i18n/client';
import type { DraftState } from './hooks/use-draft-autosave';

/** What the draft's autosave is doing, in words (empty when there is nothing to say). */
export function useDraftStatusText(state: DraftState): string {
  const { t } = useI18n();
  if (state === 'saving' || state === 'dirty') return t.task.draftSaving;
  if (state === 'saved') return t.task.draftSaved;
  if (state === 'error') return t.task.draftError;
  return '';
}

/** A task's card: its anchor, heading ("Задача N") and solved badge; every kind of task uses it. */
export function TaskFrame(props: {
  taskId: string;
  number: number;
  solved: boolean;
  kind: 'program' | 'output';
  onKeyDown?: (e: KeyboardEvent) => void;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const anchor = `task-${props.taskId}`;
  return (
    <section
      id={anchor}
      aria-labelledby={`${anchor}-title`}
      onKeyDown={props.onKeyDown}
      data-task={props.taskId}
      data-kind={props.kind}
      className="scroll-mt-20 overflow-hidden rounded-xl border border-slate-300 bg-white shadow-sm"
    >
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-gradient-to-r from-sky-50 to-white px-4 py-3">
        <h3 id={`${anchor}-title`} className="mr-auto text-base font-semibold">
          {t.task.label} {props.number}
        </h3>
        {props.solved ? (
          <Badge tone="success" data-testid="task-solved">
            ✓ {t.task.solved}
          </Badge>
        ) : (
          <Badge tone="neutral">{t.task.notSolved}</Badge>
        )}
      </header>
      {props.children}
    </section>
  );
}

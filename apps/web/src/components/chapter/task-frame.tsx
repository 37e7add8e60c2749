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

/**
 * The staff-only "legacy check" badge (issue 11, finding 12). Its words live here, not in the
 * dictionaries, while only staff see them.
 */
const LEGACY_CHECK = {
  ru: {
    label: 'устаревшая проверка',
    title:
      'Задачу проверяет только wrapper_test: код студента выполняется внутри проверки и может её обойти. ' +
      'Переведите её в tests_hidden.py (lms-content convert-wrapper, docs/check-format.md).',
  },
  en: {
    label: 'legacy check',
    title:
      "This task is checked by a wrapper_test alone: the student's code runs inside the check and can tamper with it. " +
      'Convert it to tests_hidden.py (lms-content convert-wrapper, docs/check-format.md).',
  },
} as const;

/** A task's card: its anchor, heading ("Задача N") and solved badge; every kind of task uses it. */
export function TaskFrame(props: {
  taskId: string;
  number: number;
  solved: boolean;
  kind: 'program' | 'output';
  /** staff only (the server sends true to staff alone): the task has a legacy wrapper_test check */
  legacyCheck?: boolean;
  onKeyDown?: (e: KeyboardEvent) => void;
  children: ReactNode;
}) {
  const { t, locale } = useI18n();
  const anchor = `task-${props.taskId}`;
  const legacy = LEGACY_CHECK[locale];
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
        {props.legacyCheck ? (
          <Badge tone="warning" title={legacy.title} data-testid="legacy-check">
            {legacy.label}
          </Badge>
        ) : null}
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

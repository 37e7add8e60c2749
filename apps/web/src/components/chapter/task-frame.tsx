'use client';
import { Badge } from '@lms/ui';
import { CodeDiff } from '@lms/ui/CodeDiff';
import type { KeyboardEvent, ReactNode } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import type { DraftState } from './hooks/use-draft-autosave';
import { useUiMessages } from './ui-messages';

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
  /** the note the student's instructor left on the group of their latest failed attempt */
  instructorNote?: { body: string; updatedAt: Date } | null;
  /** the starter changed since the reader's draft was saved (chapter.get): the old one, and the new */
  starterUpdate?: { publishedAt: Date; previousStarter: string } | null;
  starter?: string;
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
      {props.starterUpdate && props.starter !== undefined ? (
        <StarterUpdated update={props.starterUpdate} starter={props.starter} />
      ) : null}
      {props.instructorNote ? <InstructorNote note={props.instructorNote} anchor={anchor} /> : null}
      {props.children}
    </section>
  );
}

/** "This task was updated": the starter changed since the reader's draft; the diff, folded. */
function StarterUpdated(props: {
  update: { publishedAt: Date; previousStarter: string };
  starter: string;
}) {
  const { t, locale } = useI18n();
  const ui = useUiMessages();
  const date = new Date(props.update.publishedAt).toLocaleDateString(locale);
  return (
    <aside
      data-testid="starter-updated"
      className="mx-4 mt-3 rounded-lg border-l-4 border-sky-400 bg-sky-50 px-3 py-2 text-sm text-slate-800"
    >
      <p>{format(t.task.starterUpdated, { date })}</p>
      <details className="mt-1">
        <summary className="cursor-pointer text-sky-900">{t.task.starterUpdatedDiff}</summary>
        <CodeDiff
          before={props.update.previousStarter}
          after={props.starter}
          title={t.task.starterUpdatedDiff}
          messages={ui}
          className="mt-2"
        />
      </details>
    </aside>
  );
}

/** "Your instructor says: …" on a task (the group note of the student's latest failed attempt). */
function InstructorNote(props: { note: { body: string; updatedAt: Date }; anchor: string }) {
  const { t } = useI18n();
  const id = `${props.anchor}-note`;
  return (
    <aside
      aria-labelledby={id}
      data-testid="instructor-note"
      className="mx-4 mt-3 rounded-lg border-l-4 border-amber-400 bg-amber-50 px-3 py-2 text-sm text-slate-800"
    >
      <h4 id={id} className="font-semibold text-amber-900">
        {t.instructor.forStudentTitle}:
      </h4>
      <p className="mt-1 whitespace-pre-wrap">{props.note.body}</p>
    </aside>
  );
}

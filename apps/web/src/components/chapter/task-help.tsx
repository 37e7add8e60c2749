'use client';
import { Button, InfoIcon, LessonBlocks } from '@lms/ui';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { type RouterOutputs, useTRPC } from '@/trpc/react';
import { highlightMap } from './highlight-map';

type ChapterTask = RouterOutputs['chapter']['get']['chapter']['tasks'][number];

export function LockIcon() {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 16 16"
      className="mr-1 inline size-3.5 align-[-2px]"
      fill="currentColor"
    >
      <path d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm1.5 0h5V5a2.5 2.5 0 0 0-5 0v2Z" />
    </svg>
  );
}

/**
 * A task's hint and answer, by the rules every task follows: the hint opens on request
 * (`progress.openHint` records it); the answer opens once earned (`answerState.available`, or
 * solved: the server decides with `progress.revealAnswer`) and is shown from then on. The
 * answer's text is the parent's state (`answer`, `onAnswer`): opening it may change the task
 * (an output task's program becomes runnable).
 */
export function TaskHelp(props: {
  task: Pick<ChapterTask, 'id' | 'courseSlug' | 'hasHint' | 'hint' | 'answerState'>;
  answer: string | null;
  onAnswer: (answer: string) => void;
  /** solved, or a final check just passed */
  solved: boolean;
}) {
  const { task, answer, solved } = props;
  const { t } = useI18n();
  const trpc = useTRPC();
  const [hint, setHint] = useState(task.hint);
  const [hintError, setHintError] = useState<unknown>(null);
  const openHint = useMutation(trpc.progress.openHint.mutationOptions());
  const [answerError, setAnswerError] = useState<unknown>(null);
  const revealAnswer = useMutation(trpc.progress.revealAnswer.mutationOptions());

  return (
    <>
      {task.hasHint && (
        <div>
          {hint ? (
            <div
              className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-1"
              data-testid="hint"
            >
              <p className="mt-2 text-sm font-semibold text-amber-900">{t.task.hint}</p>
              <LessonBlocks blocks={hint} highlighted={highlightMap(hint)} className="text-sm" />
            </div>
          ) : (
            <Button
              variant="ghost"
              busy={openHint.isPending}
              onClick={() =>
                openHint.mutate(
                  { courseSlug: task.courseSlug, taskId: task.id },
                  { onSuccess: (r) => setHint(r.hint), onError: (e) => setHintError(e) },
                )
              }
              aria-expanded={false}
            >
              <InfoIcon className="size-4" /> {t.task.showHint}
            </Button>
          )}
          {hintError && !hint ? (
            <p role="alert" className="mt-2 text-sm text-red-700">
              {serverErrorText(hintError, t)}
            </p>
          ) : null}
        </div>
      )}

      <div
        data-testid="answer"
        data-state={answer !== null ? 'shown' : task.answerState.available ? 'available' : 'locked'}
      >
        {answer !== null ? (
          <div className="rounded-lg border border-slate-200 bg-slate-50 p-3">
            <p className="text-sm font-semibold">{t.task.answer}</p>
            <ScrollableCode code={answer} className="mt-2 bg-white" />
          </div>
        ) : task.answerState.available || solved ? (
          <Button
            variant="ghost"
            busy={revealAnswer.isPending}
            onClick={() =>
              revealAnswer.mutate(
                { courseSlug: task.courseSlug, taskId: task.id },
                { onSuccess: (r) => props.onAnswer(r.answer), onError: (e) => setAnswerError(e) },
              )
            }
          >
            {t.task.showAnswer}
          </Button>
        ) : (
          <p className="text-sm text-slate-600">
            <LockIcon />{' '}
            {task.answerState.needed > 0
              ? format(t.task.answerLocked, { n: task.answerState.needed })
              : t.task.answerLockedSolved}
          </p>
        )}
        {answerError ? (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {serverErrorText(answerError, t)}
          </p>
        ) : null}
      </div>
    </>
  );
}

'use client';
import { Button, LessonBlocks } from '@lms/ui';
import { type KeyboardEvent, useId, useState } from 'react';
import { useI18n } from '@/i18n/client';
import type { RouterOutputs } from '@/trpc/react';
import { highlightMap } from './highlight-map';
import { isSaveShortcut, overCodeCap, useDraftAutosave } from './hooks/use-draft-autosave';
import { useFinalCheck } from './hooks/use-final-check';
import { OutputAttemptHistory } from './output-history';
import { OutputVerdictView } from './output-verdict-view';
import { ProgramView } from './program-view';
import { TaskFrame, useDraftStatusText } from './task-frame';
import { TaskHelp } from './task-help';

type ChapterTask = RouterOutputs['chapter']['get']['chapter']['tasks'][number];
type StatementBlock = ChapterTask['statement'][number];

/** The example id the program's place in the statement gets (no real example has it). */
export const PROGRAM_SLOT = '__output-task-program__';

/**
 * The statement with its program's block (the last code block or example, as the compiler takes
 * it for `starter`) replaced by a slot the task fills with the program itself: shown once, where
 * the author put it, and never as the chapter's runnable example. `html` is the server's
 * highlighting when the program was a code block. A statement without that block gets the slot
 * at its end (a program only in the task's source); a task without a program gets none.
 */
export function withProgramSlot(
  statement: readonly StatementBlock[],
  program: string,
): { blocks: StatementBlock[]; html: string | null } {
  const slot = { kind: 'example', exampleId: PROGRAM_SLOT } as StatementBlock;
  if (program.trim() === '') return { blocks: [...statement], html: null };
  for (let k = statement.length - 1; k >= 0; k--) {
    const b = statement[k]!;
    if (b.kind === 'code' || b.kind === 'example') {
      return {
        blocks: [...statement.slice(0, k), slot, ...statement.slice(k + 1)],
        html: b.kind === 'code' ? (b.html ?? null) : null,
      };
    }
  }
  return { blocks: [...statement, slot], html: null };
}

/**
 * A "what does this print?" task (`kind: 'output'`): the statement with the program read-only
 * (runnable only once the task is solved or its answer open), a monospace answer box whose
 * draft autosaves, "Submit answer" (Ctrl/Cmd+Enter) → the server's check → the verdict; hint,
 * answer and attempt history by the same rules as a code task.
 */
export function OutputTask(props: {
  task: ChapterTask;
  number: number;
  /** the program's shiki HTML from the page (an example's `html`), when the page has it */
  programHtml?: string | null;
}) {
  const { task } = props;
  const { t } = useI18n();
  const ids = useId();
  const answerId = `${ids}-answer`;
  const helpId = `${ids}-help`;
  const problemId = `${ids}-problem`;

  // a draft the code editor saved for this task before it had its own UI holds the program
  const saved = task.draft && task.draft.code !== task.starter ? task.draft.code : null;
  const ref = { courseSlug: task.courseSlug, taskId: task.id };
  const draft = useDraftAutosave(ref, saved ?? '', saved !== null);
  const final = useFinalCheck({ ...ref, limits: task.limits });
  const [submitted, setSubmitted] = useState(false);
  const [emptyTried, setEmptyTried] = useState(false);
  const [answer, setAnswer] = useState<string | null>(task.answer);

  const solved = (task.progress?.solved ?? false) || final.attempt?.status === 'passed';
  const runnable = solved || answer !== null;
  const { blocks, html } = withProgramSlot(task.statement, task.starter);

  const submit = () => {
    if (final.busy) return;
    const text = draft.latest();
    if (text.trim() === '') {
      setEmptyTried(true);
      return;
    }
    if (overCodeCap(text)) return;
    setSubmitted(true);
    draft.flush();
    final.submit(text);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (isSaveShortcut(e)) {
      e.preventDefault();
      draft.flush();
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };

  const draftText = useDraftStatusText(draft.state);
  const problem = draft.tooLong
    ? t.task.output.tooLong
    : emptyTried && draft.code.trim() === ''
      ? t.task.output.empty
      : null;
  // a new submission shows "queued" at once, not the previous verdict
  const shownAttempt = final.busy && final.attempt?.done ? null : final.attempt;

  return (
    <TaskFrame
      taskId={task.id}
      number={props.number}
      solved={solved}
      kind="output"
      legacyCheck={task.legacyCheck}
      instructorNote={task.instructorNote}
      starterUpdate={task.starterUpdate}
      starter={task.starter}
    >
      <div className="px-4 pt-2">
        <LessonBlocks
          blocks={blocks}
          highlighted={highlightMap(blocks)}
          renderExample={(exampleId) =>
            exampleId === PROGRAM_SLOT ? (
              <ProgramView
                owner={task.id}
                code={task.starter}
                html={props.programHtml ?? html}
                runnable={runnable}
                wallSeconds={task.limits.wallSeconds}
                expectedOutput={answer}
              />
            ) : null
          }
        />
      </div>

      <div className="px-4 pb-4">
        <form
          className="mt-2"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label htmlFor={answerId} className="block text-sm font-semibold text-slate-900">
            {t.task.output.answerLabel}
          </label>
          <p id={helpId} className="mt-0.5 text-xs text-slate-600">
            {t.task.output.answerHelp}
          </p>
          <textarea
            id={answerId}
            name="output"
            value={draft.code}
            onChange={(e) => {
              draft.change(e.target.value);
              if (emptyTried) setEmptyTried(false);
            }}
            onKeyDown={onKeyDown}
            rows={Math.min(12, Math.max(4, draft.code.split('\n').length + 1))}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            autoCorrect="off"
            aria-describedby={problem ? `${helpId} ${problemId}` : helpId}
            aria-invalid={problem ? true : undefined}
            className="mt-2 block w-full resize-y rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-sm leading-6 text-slate-900 shadow-sm focus:border-sky-600"
          />
          {problem && (
            <p id={problemId} role="alert" className="mt-2 text-sm text-red-700">
              {problem}
            </p>
          )}
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <Button
              type="submit"
              variant="primary"
              disabled={draft.tooLong || final.busy}
              busy={final.busy}
              shortcut="Mod-Enter"
              title={t.task.finalCheck}
            >
              {t.task.output.submit}
            </Button>
            <span
              className="ml-auto text-xs text-slate-600"
              aria-live="polite"
              data-testid="draft-state"
              data-state={draft.state}
            >
              {draftText}
            </span>
          </div>
        </form>

        {submitted && (
          <div className="mt-4">
            <OutputVerdictView attempt={shownAttempt} error={final.error} />
          </div>
        )}

        <div className="mt-5 space-y-3 border-t border-slate-200 pt-4">
          <TaskHelp task={task} answer={answer} onAnswer={setAnswer} solved={solved} />
          <OutputAttemptHistory courseSlug={task.courseSlug} taskId={task.id} />
        </div>
      </div>
    </TaskFrame>
  );
}

'use client';
import type { GradeResult } from '@lms/grading';
import { Badge, Button, InfoIcon, LessonBlocks, OutputConsole, VerdictView } from '@lms/ui';
import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, type ReactNode, useState } from 'react';
import { usePython } from '@/components/python/python-context';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { type RouterOutputs, useTRPC } from '@/trpc/react';
import { AttemptHistory } from './attempt-history';
import { highlightMap } from './highlight-map';
import { isSaveShortcut, overCodeCap, useDraftAutosave } from './hooks/use-draft-autosave';
import { useFinalCheck } from './hooks/use-final-check';
import { useProgramRun } from './hooks/use-program-run';
import { useQuickCheck } from './hooks/use-quick-check';
import { LazyCodeEditor } from './lazy-editor';
import { useUiMessages } from './ui-messages';

type ChapterTask = RouterOutputs['chapter']['get']['chapter']['tasks'][number];

function LockIcon() {
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
 * One task: statement, editor (starter or saved draft), Run / Check / Submit, hint, answer
 * once earned, attempt history. Drafts autosave to the server.
 */
export function TaskWorkspace(props: { task: ChapterTask; number: number; statement: ReactNode }) {
  const { task } = props;
  const { t } = useI18n();
  const ui = useUiMessages();
  const python = usePython();
  const trpc = useTRPC();
  const owner = task.id;
  const anchor = `task-${task.id}`;

  const draft = useDraftAutosave(task.id, task.draft?.code ?? task.starter, Boolean(task.draft));
  const [panel, setPanel] = useState<'none' | 'run' | 'quick' | 'final'>('none');
  const program = useProgramRun(owner, { wallSeconds: task.limits.wallSeconds });
  const quick = useQuickCheck({
    owner,
    taskId: task.id,
    wallSeconds: task.limits.wallSeconds,
    onFailure: (message) => {
      program.fail(message);
      setPanel('run');
    },
  });
  const final = useFinalCheck({ taskId: task.id, limits: task.limits });
  const { busy, busyElsewhere } = program;

  const run = () => {
    if (python.activeRun) return;
    setPanel('run');
    void program.start(draft.latest());
  };

  const check = () => {
    if (python.activeRun || !task.publicTests) return;
    setPanel('quick');
    void quick.start(draft.latest(), task.publicTests);
  };

  const submit = () => {
    if (final.busy || overCodeCap(draft.latest())) return;
    setPanel('final');
    draft.flush();
    final.submit(draft.latest());
  };

  // --- hint and answer ----------------------------------------------------------------------
  const [hint, setHint] = useState(task.hint);
  const openHint = useMutation(trpc.progress.openHint.mutationOptions());
  const [answer, setAnswer] = useState<string | null>(task.answer);
  const [answerError, setAnswerError] = useState<unknown>(null);
  const revealAnswer = useMutation(trpc.progress.revealAnswer.mutationOptions());

  const solved = task.progress?.solved ?? false;

  const onKeyDown = (e: KeyboardEvent) => {
    // the editor handles its own shortcuts (and marks the event handled)
    if (e.defaultPrevented) return;
    if (isSaveShortcut(e)) {
      e.preventDefault();
      draft.flush();
      return;
    }
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    if (e.altKey) submit();
    else if (e.shiftKey) check();
    else run();
  };

  const draftText =
    draft.state === 'saving' || draft.state === 'dirty'
      ? t.task.draftSaving
      : draft.state === 'saved'
        ? t.task.draftSaved
        : draft.state === 'error'
          ? t.task.draftError
          : '';
  const tooLong = draft.tooLong;

  return (
    <section
      id={anchor}
      aria-labelledby={`${anchor}-title`}
      onKeyDown={onKeyDown}
      data-task={task.id}
      className="scroll-mt-20 overflow-hidden rounded-xl border border-slate-300 bg-white shadow-sm"
    >
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-gradient-to-r from-sky-50 to-white px-4 py-3">
        <h3 id={`${anchor}-title`} className="mr-auto text-base font-semibold">
          {t.task.label} {props.number}
        </h3>
        {solved ? (
          <Badge tone="success" data-testid="task-solved">
            ✓ {t.task.solved}
          </Badge>
        ) : (
          <Badge tone="neutral">{t.task.notSolved}</Badge>
        )}
      </header>

      <div className="px-4 pt-2">{props.statement}</div>

      <div className="px-4 pb-4">
        <LazyCodeEditor
          value={draft.code}
          onChange={draft.change}
          label={`${t.task.editor}: ${t.task.label} ${props.number}`}
          onRun={run}
          onCheck={check}
          onSubmit={submit}
          onSave={draft.flush}
          minLines={10}
        />
        <p className="mt-1 text-xs text-slate-500">{t.task.shortcuts}</p>
        {tooLong && (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {t.task.codeTooLong}
          </p>
        )}

        <div
          className="mt-3 flex flex-wrap items-center gap-2"
          role="toolbar"
          aria-label={`${t.task.label} ${props.number}`}
        >
          {busy ? (
            <Button variant="danger" onClick={program.stop}>
              {t.task.stop}
            </Button>
          ) : (
            <Button
              variant="secondary"
              onClick={run}
              disabled={busyElsewhere || task.kind !== 'program'}
              busy={python.status === 'loading'}
              shortcut="Mod-Enter"
              data-ready={python.status === 'ready' ? 'true' : 'false'}
            >
              {t.task.run}
            </Button>
          )}
          <Button
            variant="secondary"
            onClick={check}
            disabled={busy || busyElsewhere || !task.publicTests || tooLong}
            busy={quick.running}
            shortcut="Shift-Mod-Enter"
            title={task.publicTests ? t.task.quickCheck : t.task.noPublicTests}
          >
            {t.task.check}
          </Button>
          <Button
            variant="primary"
            onClick={submit}
            disabled={tooLong || final.busy}
            busy={final.busy}
            shortcut="Mod-Alt-Enter"
            title={t.task.finalCheck}
          >
            {t.task.submit}
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              if (draft.code !== task.starter && !window.confirm(t.task.resetConfirm)) return;
              draft.change(task.starter);
            }}
            disabled={draft.code === task.starter}
          >
            {t.task.reset}
          </Button>
          <span
            className="ml-auto text-xs text-slate-500"
            aria-live="polite"
            data-testid="draft-state"
            data-state={draft.state}
          >
            {draftText}
          </span>
        </div>

        <div className="mt-4 space-y-3">
          {panel === 'run' && <OutputConsole {...program.console} messages={ui} />}
          {panel === 'quick' && <QuickVerdict result={quick.result} />}
          {panel === 'final' && (
            <div
              data-testid="final-verdict"
              data-status={final.error ? 'rejected' : (final.view?.status ?? 'queued')}
            >
              {final.error ? (
                <p
                  role="alert"
                  className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900"
                >
                  {serverErrorText(final.error, t)}
                </p>
              ) : (
                final.view && <VerdictView result={final.view} messages={ui} />
              )}
            </div>
          )}
        </div>

        <div className="mt-5 space-y-3 border-t border-slate-200 pt-4">
          {task.hasHint && (
            <div>
              {hint ? (
                <div
                  className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-1"
                  data-testid="hint"
                >
                  <p className="mt-2 text-sm font-semibold text-amber-900">{t.task.hint}</p>
                  <LessonBlocks
                    blocks={hint}
                    highlighted={highlightMap(hint)}
                    className="text-sm"
                  />
                </div>
              ) : (
                <Button
                  variant="ghost"
                  busy={openHint.isPending}
                  onClick={() =>
                    openHint.mutate({ taskId: task.id }, { onSuccess: (r) => setHint(r.hint) })
                  }
                  aria-expanded={false}
                >
                  <InfoIcon className="size-4" /> {t.task.showHint}
                </Button>
              )}
            </div>
          )}

          <div
            data-testid="answer"
            data-state={answer ? 'shown' : task.answerState.available ? 'available' : 'locked'}
          >
            {answer ? (
              <div className="rounded-lg border border-slate-200 bg-slate-50 p-3">
                <p className="text-sm font-semibold">{t.task.answer}</p>
                <ScrollableCode code={answer} className="mt-2 bg-white" />
              </div>
            ) : task.answerState.available || solved || final.attempt?.status === 'passed' ? (
              <Button
                variant="ghost"
                busy={revealAnswer.isPending}
                onClick={() =>
                  revealAnswer.mutate(
                    { taskId: task.id },
                    {
                      onSuccess: (r) => setAnswer(r.answer),
                      onError: (e) => setAnswerError(e),
                    },
                  )
                }
              >
                {t.task.showAnswer}
              </Button>
            ) : (
              <p className="text-sm text-slate-500">
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

          <AttemptHistory taskId={task.id} />
        </div>
      </div>
    </section>
  );
}

/** The quick check's verdict and the program's output; "running" until the result is in. */
function QuickVerdict(props: { result: GradeResult | null }) {
  const ui = useUiMessages();
  const quick = props.result;
  if (!quick) {
    return (
      <div data-testid="quick-verdict" data-status="running">
        <VerdictView result={{ status: 'running', stage: 'quick' }} messages={ui} />
      </div>
    );
  }
  return (
    <div data-testid="quick-verdict" data-status={quick.status}>
      <VerdictView result={quick} messages={ui} />
      {(quick.stdout || quick.stderr) && (
        <OutputConsole
          className="mt-3"
          chunks={[
            ...(quick.stdout ? [{ stream: 'stdout' as const, text: quick.stdout }] : []),
            ...(quick.stderr ? [{ stream: 'stderr' as const, text: quick.stderr }] : []),
          ]}
          status="done"
          exitCode={quick.exitCode}
          elapsedMs={quick.durations.programMs}
          engine={quick.engine}
          pythonVersion={quick.pythonVersion}
          truncated={quick.stdoutTruncated || quick.stderrTruncated}
          messages={ui}
        />
      )}
    </div>
  );
}

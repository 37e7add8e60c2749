'use client';
import type { GradeResult } from '@lms/grading';
import { Button, OutputConsole, VerdictView } from '@lms/ui';
import { type KeyboardEvent, type ReactNode, useState } from 'react';
import { usePython } from '@/components/python/python-context';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import type { RouterOutputs } from '@/trpc/react';
import { AttemptHistory } from './attempt-history';
import { isSaveShortcut, overCodeCap, useDraftAutosave } from './hooks/use-draft-autosave';
import { useFinalCheck } from './hooks/use-final-check';
import { useProgramRun } from './hooks/use-program-run';
import { useQuickCheck } from './hooks/use-quick-check';
import { LazyCodeEditor } from './lazy-editor';
import { OutputTask } from './output-task';
import { TaskFrame, useDraftStatusText } from './task-frame';
import { TaskHelp } from './task-help';
import { useUiMessages } from './ui-messages';

type ChapterTask = RouterOutputs['chapter']['get']['chapter']['tasks'][number];

/**
 * One task, by its kind: a "what does this print?" task gets its own UI (output-task.tsx, which
 * shows the statement with the program in it itself); any other is a code task.
 */
export function TaskWorkspace(props: { task: ChapterTask; number: number; statement: ReactNode }) {
  if (props.task.kind === 'output') return <OutputTask task={props.task} number={props.number} />;
  return <ProgramTask {...props} />;
}

/**
 * A code task: statement, editor (starter or saved draft), Run / Check / Submit, hint, answer
 * once earned, attempt history. Drafts autosave to the server.
 */
function ProgramTask(props: { task: ChapterTask; number: number; statement: ReactNode }) {
  const { task } = props;
  const { t } = useI18n();
  const ui = useUiMessages();
  const python = usePython();
  const owner = task.id;

  const draft = useDraftAutosave(
    { courseSlug: task.courseSlug, taskId: task.id },
    task.draft?.code ?? task.starter,
    Boolean(task.draft),
  );
  const [panel, setPanel] = useState<'none' | 'run' | 'quick' | 'final'>('none');
  const program = useProgramRun(owner, { wallSeconds: task.limits.wallSeconds });
  const quick = useQuickCheck({
    owner,
    courseSlug: task.courseSlug,
    taskId: task.id,
    wallSeconds: task.limits.wallSeconds,
    onFailure: (message) => {
      program.fail(message);
      setPanel('run');
    },
  });
  const final = useFinalCheck({
    courseSlug: task.courseSlug,
    taskId: task.id,
    limits: task.limits,
  });
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

  // the answer, once open (hint and answer: task-help.tsx)
  const [answer, setAnswer] = useState<string | null>(task.answer);

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

  const draftText = useDraftStatusText(draft.state);
  const tooLong = draft.tooLong;

  return (
    <TaskFrame
      taskId={task.id}
      number={props.number}
      solved={solved}
      kind="program"
      legacyCheck={task.legacyCheck}
      instructorNote={task.instructorNote}
      starterUpdate={task.starterUpdate}
      starter={task.starter}
      onKeyDown={onKeyDown}
    >
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
                <>
                  {final.queuePosition !== null && (
                    <p role="status" data-testid="queue-position" className="mb-2 text-sm">
                      {format(t.task.queuedAs, { n: final.queuePosition })}
                    </p>
                  )}
                  {final.view && <VerdictView result={final.view} messages={ui} />}
                </>
              )}
            </div>
          )}
        </div>

        <div className="mt-5 space-y-3 border-t border-slate-200 pt-4">
          <TaskHelp
            task={task}
            answer={answer}
            onAnswer={setAnswer}
            solved={solved || final.attempt?.status === 'passed'}
          />

          <AttemptHistory courseSlug={task.courseSlug} taskId={task.id} />
        </div>
      </div>
    </TaskFrame>
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

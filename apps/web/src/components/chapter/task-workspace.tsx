'use client';
import type { GradeResult } from '@lms/grader/protocol';
import {
  Badge,
  Button,
  InfoIcon,
  LessonBlocks,
  type OutputChunk,
  OutputConsole,
  type RunStatus,
  type VerdictResult,
  VerdictView,
} from '@lms/ui';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useRouter } from 'next/navigation';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { usePython } from '@/components/python/python-context';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { type RouterOutputs, useTRPC } from '@/trpc/react';
import { AttemptHistory } from './attempt-history';
import { highlightMap } from './highlight-map';
import { LazyCodeEditor } from './lazy-editor';
import { useUiMessages } from './ui-messages';

type ChapterTask = RouterOutputs['chapter']['get']['chapter']['tasks'][number];
type Attempt = RouterOutputs['attempt']['get'];

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

const CODE_CAP_BYTES = 64 * 1024;
const AUTOSAVE_MS = 800;

type DraftState = 'clean' | 'dirty' | 'saving' | 'saved' | 'error';

/** Final-check attempt row → what the verdict view shows. */
function attemptVerdict(a: Attempt, limits: VerdictResult['limits']): VerdictResult {
  return {
    status: a.status as VerdictResult['status'],
    message: a.message,
    tests: a.results.map((r) => ({ name: r.name, status: r.status, message: r.message })),
    limitHit: a.limitHit,
    engine: a.engine,
    pythonVersion: a.pythonVersion,
    durationMs: a.durationMs,
    limits,
    stage: 'final',
    unsafe: a.engine === 'cpython-unsafe',
  };
}

function errorMessage(e: unknown): string {
  if (e instanceof TRPCClientError) return e.message;
  return e instanceof Error ? e.message : String(e);
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
  const queryClient = useQueryClient();
  const router = useRouter();
  const owner = task.id;
  const anchor = `task-${task.id}`;

  // --- code and draft autosave -------------------------------------------------------------
  const [code, setCode] = useState(task.draft?.code ?? task.starter);
  const [draftState, setDraftState] = useState<DraftState>(task.draft ? 'saved' : 'clean');
  const saveDraft = useMutation(trpc.draft.save.mutationOptions());
  const pendingSave = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestCode = useRef(code);
  latestCode.current = code;
  const tooLong = new TextEncoder().encode(code).length > CODE_CAP_BYTES;

  const flushDraft = useCallback(() => {
    if (pendingSave.current) clearTimeout(pendingSave.current);
    pendingSave.current = null;
    const value = latestCode.current;
    if (new TextEncoder().encode(value).length > CODE_CAP_BYTES) return;
    setDraftState('saving');
    saveDraft.mutate(
      { taskId: task.id, code: value },
      {
        onSuccess: () => setDraftState((s) => (latestCode.current === value ? 'saved' : s)),
        onError: () => setDraftState('error'),
      },
    );
  }, [saveDraft, task.id]);

  const onCodeChange = useCallback(
    (value: string) => {
      setCode(value);
      setDraftState('dirty');
      if (pendingSave.current) clearTimeout(pendingSave.current);
      pendingSave.current = setTimeout(flushDraft, AUTOSAVE_MS);
    },
    [flushDraft],
  );

  useEffect(() => {
    // leaving the tab (or the page) saves what is typed right away
    const onHide = () => {
      if (document.visibilityState === 'hidden' && pendingSave.current) flushDraft();
    };
    document.addEventListener('visibilitychange', onHide);
    return () => document.removeEventListener('visibilitychange', onHide);
  }, [flushDraft]);

  // --- run and quick check in the browser ---------------------------------------------------
  const [chunks, setChunks] = useState<OutputChunk[]>([]);
  const [runStatus, setRunStatus] = useState<RunStatus>('idle');
  const [runInfo, setRunInfo] = useState<{
    exitCode: number | null;
    elapsedMs: number;
    engine: string;
    pythonVersion: string | null;
    truncated: boolean;
  } | null>(null);
  const [quick, setQuick] = useState<GradeResult | null>(null);
  const [quickRunning, setQuickRunning] = useState(false);
  const [panel, setPanel] = useState<'none' | 'run' | 'quick' | 'final'>('none');
  const recordQuick = useMutation(trpc.attempt.recordQuick.mutationOptions());
  const busy = python.activeRun === owner;
  const busyElsewhere = python.activeRun !== null && python.activeRun !== owner;

  const run = useCallback(async () => {
    if (python.activeRun) return;
    setPanel('run');
    setChunks([]);
    setRunInfo(null);
    setRunStatus('running');
    try {
      const r = await python.run(owner, latestCode.current, {
        onOutput: (c) => setChunks((prev) => [...prev, c]),
        wallSeconds: task.limits.wallSeconds,
      });
      setRunInfo(r);
      setRunStatus(r.status);
    } catch (e) {
      setChunks((prev) => [...prev, { stream: 'stderr', text: errorMessage(e) }]);
      setRunStatus('error');
    }
  }, [python, owner, task.limits.wallSeconds]);

  const check = useCallback(async () => {
    if (python.activeRun || !task.publicTests) return;
    setPanel('quick');
    setQuick(null);
    setQuickRunning(true);
    const submitted = latestCode.current;
    try {
      const result = await python.quickCheck(owner, submitted, task.publicTests, {
        wallSeconds: task.limits.wallSeconds,
      });
      setQuick(result);
      recordQuick.mutate({
        taskId: task.id,
        code: submitted,
        result: {
          status: result.status,
          message: result.message,
          tests: result.tests.map((x) => ({
            name: x.name,
            status: x.status,
            message: x.message,
            durationMs: x.durationMs,
          })),
          stdout: result.stdout,
          stderr: result.stderr,
          durationMs: result.durations.totalMs,
          pythonVersion: result.pythonVersion,
        },
      });
    } catch (e) {
      setQuick(null);
      setChunks([{ stream: 'stderr', text: errorMessage(e) }]);
      setRunStatus('error');
      setPanel('run');
    } finally {
      setQuickRunning(false);
    }
  }, [python, owner, task.id, task.publicTests, task.limits.wallSeconds, recordQuick]);

  // --- final check on the server ------------------------------------------------------------
  const [attemptId, setAttemptId] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const submit = useMutation(trpc.attempt.submit.mutationOptions());
  const attempt = useQuery({
    ...trpc.attempt.get.queryOptions({ id: attemptId ?? '' }),
    enabled: attemptId !== null,
    refetchInterval: (q) => (q.state.data?.done ? false : 500),
    staleTime: 0,
  });
  const finalAttempt = attempt.data && attempt.data.id === attemptId ? attempt.data : null;
  const finalDone = finalAttempt?.done ?? false;

  const doSubmit = useCallback(() => {
    if (submit.isPending || (attemptId !== null && !finalDone)) return;
    if (new TextEncoder().encode(latestCode.current).length > CODE_CAP_BYTES) return;
    setPanel('final');
    setSubmitError(null);
    flushDraft();
    submit.mutate(
      { taskId: task.id, code: latestCode.current },
      {
        onSuccess: (a) => setAttemptId(a.id),
        onError: (e) => setSubmitError(errorMessage(e)),
      },
    );
  }, [submit, attemptId, finalDone, task.id, flushDraft]);

  // a verdict changes progress, the answer's availability and the history: refresh them
  const refreshedFor = useRef<string | null>(null);
  useEffect(() => {
    if (finalAttempt?.done && refreshedFor.current !== finalAttempt.id) {
      refreshedFor.current = finalAttempt.id;
      void queryClient.invalidateQueries({
        queryKey: trpc.attempt.list.queryKey({ taskId: task.id }),
      });
      router.refresh();
    }
  }, [finalAttempt, queryClient, trpc, task.id, router]);

  // --- hint and answer ----------------------------------------------------------------------
  const [hint, setHint] = useState(task.hint);
  const openHint = useMutation(trpc.progress.openHint.mutationOptions());
  const [answer, setAnswer] = useState<string | null>(task.answer);
  const [answerError, setAnswerError] = useState<string | null>(null);
  const revealAnswer = useMutation(trpc.progress.revealAnswer.mutationOptions());

  const solved = task.progress?.solved ?? false;
  const finalView = finalAttempt
    ? attemptVerdict(finalAttempt, task.limits)
    : submit.isPending
      ? ({ status: 'queued', stage: 'final' } as VerdictResult)
      : null;

  const onKeyDown = (e: React.KeyboardEvent) => {
    // the editor handles its own shortcuts (and marks the event handled)
    if (e.defaultPrevented || e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    if (e.altKey) doSubmit();
    else if (e.shiftKey) void check();
    else void run();
  };

  const draftText =
    draftState === 'saving' || draftState === 'dirty'
      ? t.task.draftSaving
      : draftState === 'saved'
        ? t.task.draftSaved
        : draftState === 'error'
          ? t.task.draftError
          : '';

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
          value={code}
          onChange={onCodeChange}
          label={`${t.task.editor}: ${t.task.label} ${props.number}`}
          onRun={() => void run()}
          onCheck={() => void check()}
          onSubmit={doSubmit}
          onSave={flushDraft}
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
            <Button variant="danger" onClick={() => python.stop()}>
              {t.task.stop}
            </Button>
          ) : (
            <Button
              variant="secondary"
              onClick={() => void run()}
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
            onClick={() => void check()}
            disabled={busy || busyElsewhere || !task.publicTests || tooLong}
            busy={quickRunning}
            shortcut="Shift-Mod-Enter"
            title={task.publicTests ? t.task.quickCheck : t.task.noPublicTests}
          >
            {t.task.check}
          </Button>
          <Button
            variant="primary"
            onClick={doSubmit}
            disabled={tooLong || submit.isPending || (attemptId !== null && !finalDone)}
            busy={submit.isPending || (attemptId !== null && !finalDone)}
            shortcut="Mod-Alt-Enter"
            title={t.task.finalCheck}
          >
            {t.task.submit}
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              if (code !== task.starter && !window.confirm(t.task.resetConfirm)) return;
              onCodeChange(task.starter);
            }}
            disabled={code === task.starter}
          >
            {t.task.reset}
          </Button>
          <span
            className="ml-auto text-xs text-slate-500"
            aria-live="polite"
            data-testid="draft-state"
            data-state={draftState}
          >
            {draftText}
          </span>
        </div>

        <div className="mt-4 space-y-3">
          {panel === 'run' && (
            <OutputConsole
              chunks={chunks}
              status={runStatus}
              exitCode={runInfo?.exitCode ?? null}
              elapsedMs={runInfo?.elapsedMs ?? null}
              engine={runInfo?.engine ?? null}
              pythonVersion={runInfo?.pythonVersion ?? python.pythonVersion}
              truncated={runInfo?.truncated ?? false}
              messages={ui}
            />
          )}
          {panel === 'quick' &&
            (quick ? (
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
            ) : (
              <div data-testid="quick-verdict" data-status="running">
                <VerdictView result={{ status: 'running', stage: 'quick' }} messages={ui} />
              </div>
            ))}
          {panel === 'final' && (
            <div
              data-testid="final-verdict"
              data-status={submitError ? 'rejected' : (finalView?.status ?? 'queued')}
            >
              {submitError ? (
                <p
                  role="alert"
                  className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900"
                >
                  {submitError}
                </p>
              ) : (
                finalView && <VerdictView result={finalView} messages={ui} />
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
            ) : task.answerState.available || solved || finalAttempt?.status === 'passed' ? (
              <Button
                variant="ghost"
                busy={revealAnswer.isPending}
                onClick={() =>
                  revealAnswer.mutate(
                    { taskId: task.id },
                    {
                      onSuccess: (r) => setAnswer(r.answer),
                      onError: (e) => setAnswerError(errorMessage(e)),
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
            {answerError && (
              <p role="alert" className="mt-2 text-sm text-red-700">
                {answerError}
              </p>
            )}
          </div>

          <AttemptHistory taskId={task.id} />
        </div>
      </div>
    </section>
  );
}
